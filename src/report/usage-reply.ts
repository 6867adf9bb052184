import type { APIEmbed } from 'discord.js';
import type { Period } from '../quota/period.js';
import { renderUsageChart } from './usage-chart.js';
import { cut, periodLabel, renderUsageEmbed } from './usage-embed.js';
import { chartInput, summarize, usageCsv, type UsageRow } from './usage-report.js';
import { zipOne } from './zip.js';

/**
 * `/video-admin usage`: the embed, the chart PNG shown inside it and the period's jobs as CSV, ready for
 * `interaction.editReply({ embeds, files: files.map(({ name, data, contentType }) => ({ name, attachment: data,
 * contentType })) })`. Pure apart from rendering: the caller loads the rows (the per-day index) and sends.
 */
export interface UsageReplyInput {
  /** Every usage row of the period in the guild (also when `member` is given: the share needs the whole). */
  rows: readonly UsageRow[];
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
/** Prompts are cut to this when even the zipped CSV is over the limit. */
const shortPromptLength = 200;

export function renderUsageReply(input: UsageReplyInput): UsageReply {
  const { period, member } = input;
  const rows = member ? input.rows.filter((row) => row.userId === member) : input.rows;
  const summary = summarize(rows, input.pricePerSecondUsd);
  const chart = chartInput(rows, period, '', legendNames(input.nameOf));
  const who = member ? ` · ${legendName(input.nameOf(member), member)}` : '';
  chart.title = `Seconds of video per day${who} · ${periodLabel(period)}`;
  if (summary.videos === 0) chart.note = member ? 'No delivered videos by this member in this period' : 'No delivered videos in this period';
  const png = renderUsageChart(chart);
  const csv = csvFile(rows, input, (input.maxFileBytes ?? defaultMaxFileBytes) - png.length);
  let shareOfServer = 0;
  if (member) {
    const whole = summarize(input.rows, 0).seconds;
    shareOfServer = whole > 0 ? summary.seconds / whole : 0;
  }
  const embed = renderUsageEmbed({
    summary,
    period,
    ...(input.guildName !== undefined ? { guildName: input.guildName } : {}),
    ...(member ? { member: { userId: member, shareOfServer } } : {}),
    pricePerSecondUsd: input.pricePerSecondUsd,
    chartFile: chartFileName,
    ...(csv.note ? { csvNote: csv.note } : {}),
  });
  const files: ReplyFile[] = [{ name: chartFileName, data: png, contentType: 'image/png' }];
  if (csv.file) files.push(csv.file);
  return { embeds: [embed], files };
}

/**
 * The CSV as it fits: plain; zipped when it is over Discord's limit (a month of a busy server is tens of MiB of
 * prompts); zipped with prompts cut when even that is over; left out (said in the embed) as a last resort.
 */
function csvFile(rows: readonly UsageRow[], input: UsageReplyInput, room: number): { file?: ReplyFile; note?: string } {
  const key = input.period.key.replaceAll(':', '-');
  const name = `usage-${key}${input.member ? `-${input.member}` : ''}.csv`;
  const csv = Buffer.from(usageCsv(rows, input.pricePerSecondUsd), 'utf8');
  if (csv.length <= room) return { file: { name, data: csv, contentType: 'text/csv; charset=utf-8' } };
  const zipped = zipOne(name, csv, new Date(input.period.start));
  if (zipped.length <= room) {
    return { file: { name: `${name}.zip`, data: zipped, contentType: 'application/zip' }, note: 'The CSV is zipped: it is larger than Discord lets a bot attach.' };
  }
  const cutCsv = usageCsv(rows, input.pricePerSecondUsd, { promptLength: shortPromptLength });
  const short = zipOne(name, Buffer.from(cutCsv, 'utf8'), new Date(input.period.start));
  if (short.length <= room) {
    return {
      file: { name: `${name}.zip`, data: short, contentType: 'application/zip' },
      note: `The CSV is zipped and its prompts are cut to ${shortPromptLength} characters to fit Discord's attachment limit.`,
    };
  }
  return { note: 'The CSV is left out: this period has more jobs than one Discord attachment holds. Ask for a shorter period.' };
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
