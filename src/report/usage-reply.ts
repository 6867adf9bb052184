import { setImmediate as nextTurn } from 'node:timers/promises';
import type { APIEmbed } from 'discord.js';
import type { Period } from '../quota/period.js';
import { CsvAttachment } from './csv-attachment.js';
import { renderUsageChart } from './usage-chart.js';
import { cut, periodLabel, renderUsageEmbed } from './usage-embed.js';
import { sortRows, usageCsvHeader, usageCsvLines, type UsageRow } from './usage-report.js';
import { UsageTally } from './usage-tally.js';
import { zipArchive } from './zip.js';

/**
 * `/video-admin usage`: the embed, the chart PNG shown inside it and the period's jobs as CSV, ready for
 * `interaction.editReply({ embeds, files: files.map(({ name, data, contentType }) => ({ name, attachment: data,
 * contentType })) })`. The caller loads the rows (the per-day index) and sends.
 *
 * Asynchronous, and it gives the event loop a turn after every batch of rows: a busy month takes about a second of
 * work, during which other members' interactions must still be acknowledged within Discord's 3 s.
 */
export interface UsageReplyInput {
  /**
   * Every usage row of the period in the guild (also when `member` is given: the share needs the whole). Either an
   * array, or a function giving the rows day by day, oldest day first, each time it is called (called a second time
   * only when a CSV must be written again with shorter prompts): then a busy month is never held whole.
   */
  rows: readonly UsageRow[] | (() => AsyncIterable<readonly UsageRow[]>);
  period: Period;
  guildName?: string;
  /** A member's user id: the figures, the chart and the CSV then cover that member's jobs only. */
  member?: string;
  pricePerSecondUsd: number;
  /** Display name for the chart's legend (the embed uses `<@id>` mentions instead). */
  nameOf: (userId: string) => string;
  /** Most bytes the reply's files may hold together: the interaction's `attachment_size_limit` (default 10 MiB). */
  maxFileBytes?: number;
}

export interface ReplyFile {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface UsageReply {
  embeds: APIEmbed[];
  files: ReplyFile[];
}

export const chartFileName = 'usage.png';
const defaultMaxFileBytes = 10 * 1024 * 1024;
/** Kept for the chart when sizing the CSV (a month's chart is about 40 KiB). */
export const chartRoom = 256 * 1024;
/** Prompts are cut to this when even the zipped CSV is over the limit. */
const shortPromptLength = 200;
const batchSize = 5_000;

async function* batchesOf(rows: UsageReplyInput['rows']): AsyncIterable<readonly UsageRow[]> {
  if (typeof rows === 'function') {
    for await (const batch of rows()) {
      yield batch;
      await nextTurn();
    }
    return;
  }
  const sorted = sortRows([...rows]);
  for (let i = 0; i < sorted.length; i += batchSize) {
    yield sorted.slice(i, i + batchSize);
    await nextTurn();
  }
}

export async function renderUsageReply(input: UsageReplyInput): Promise<UsageReply> {
  const { period, member } = input;
  const room = (input.maxFileBytes ?? defaultMaxFileBytes) - chartRoom;
  const tally = new UsageTally(period);
  const whole = member ? new UsageTally() : tally;
  let csv = new CsvAttachment(room);
  await csv.write(`${usageCsvHeader.join(',')}\r\n`);
  for await (const batch of batchesOf(input.rows)) {
    const rows = member ? batch.filter((row) => row.userId === member) : batch;
    tally.add(rows);
    if (member) whole.add(batch);
    await csv.write(usageCsvLines(sortRows([...rows]), input.pricePerSecondUsd));
  }
  let written = await csv.finish();
  let note: string | undefined;
  if (!written) {
    csv = new CsvAttachment(room);
    await csv.write(`${usageCsvHeader.join(',')}\r\n`);
    for await (const batch of batchesOf(input.rows)) {
      const rows = member ? batch.filter((row) => row.userId === member) : batch;
      await csv.write(usageCsvLines(sortRows([...rows]), input.pricePerSecondUsd, { promptLength: shortPromptLength }));
    }
    written = await csv.finish();
    note = written
      ? `The CSV is zipped and its prompts are cut to ${shortPromptLength} characters to fit Discord's attachment limit.`
      : 'The CSV is left out: this period has more jobs than one Discord attachment holds. Ask for a shorter period.';
  } else if (written.zipped) {
    note = 'The CSV is zipped: it is larger than Discord lets a bot attach.';
  }

  const summary = tally.summary(input.pricePerSecondUsd);
  const who = member ? ` · ${legendName(input.nameOf(member), member)}` : '';
  const chart = tally.chart(`Seconds of video per day${who} · ${periodLabel(period)}`, legendNames(input.nameOf));
  if (summary.videos === 0) chart.note = member ? 'No delivered videos by this member in this period' : 'No delivered videos in this period';
  const png = renderUsageChart(chart);
  const shareOfServer = whole.seconds > 0 ? summary.seconds / whole.seconds : 0;
  const embed = renderUsageEmbed({
    summary,
    period,
    ...(input.guildName !== undefined ? { guildName: input.guildName } : {}),
    ...(member ? { member: { userId: member, shareOfServer } } : {}),
    pricePerSecondUsd: input.pricePerSecondUsd,
    chartFile: chartFileName,
    ...(note ? { csvNote: note } : {}),
  });
  const files: ReplyFile[] = [{ name: chartFileName, data: png, contentType: 'image/png' }];
  const name = `usage-${period.key.replaceAll(':', '-')}${member ? `-${member}` : ''}.csv`;
  if (written && !written.zipped) files.push({ name, data: written.data, contentType: 'text/csv; charset=utf-8' });
  if (written?.zipped) files.push({ name: `${name}.zip`, data: Buffer.concat(zipArchive(name, written.file, new Date(period.start))), contentType: 'application/zip' });
  return { embeds: [embed], files };
}

/**
 * Legend names the chart's font can draw (DejaVu Sans has no emoji or CJK: those would be empty boxes), short
 * enough for the legend, and told apart when two members show the same name.
 */
function legendNames(nameOf: (userId: string) => string): (userId: string) => string {
  const seen = new Map<string, string>();
  const names = new Map<string, string>();
  return (userId) => {
    const known = names.get(userId);
    if (known) return known;
    let name = legendName(nameOf(userId), userId);
    const holder = seen.get(name);
    if (holder !== undefined && holder !== userId) name = `${name} (…${userId.slice(-4)})`;
    seen.set(name, userId);
    names.set(userId, name);
    return name;
  };
}

const drawable = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}\p{Script=Inherited}]/u;
const pictograph = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f/u;

export function legendName(name: string, userId: string): string {
  const kept = [...name].filter((c) => drawable.test(c) && !pictograph.test(c)).join('');
  const clean = kept.replace(/\s+/g, ' ').trim();
  return clean ? cut(clean, 20) : `member …${userId.slice(-4)}`;
}
