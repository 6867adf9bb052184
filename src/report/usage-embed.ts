import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Period } from '../quota/period.js';
import type { UsageSummary } from './usage-report.js';

/**
 * The usage report's embed: figures as text (mentions render as names in Discord and ping nobody in an embed), the
 * chart shown inside it through `attachment://`. Every text is cut to Discord's limits; the whole stays far under
 * 6,000 characters (at most five top members, short fixed labels).
 */
export interface UsageEmbedInput {
  summary: UsageSummary;
  period: Period;
  guildName?: string;
  /** The member whose own figures these are, with their share of the server's delivered seconds. */
  member?: { userId: string; shareOfServer: number };
  pricePerSecondUsd: number;
  /** Name of the attached chart; absent: no image in the embed. */
  chartFile?: string;
  /** A line about the CSV when it is not attached as plain CSV (zipped, prompts cut). */
  csvNote?: string;
}

const colour = 0x5865f2;
const number = (n: number) => n.toLocaleString('en-US');
const dollars = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `December 2026`, `Nov 30 – Dec 6, 2026`, `Dec 1, 2026` (UTC). */
export function periodLabel(period: Period): string {
  const date = (at: number, options: Intl.DateTimeFormatOptions) => new Date(at).toLocaleDateString('en-US', { timeZone: 'UTC', ...options });
  if (period.kind === 'month') return date(period.start, { month: 'long', year: 'numeric' });
  if (period.kind === 'day') return date(period.start, { month: 'short', day: 'numeric', year: 'numeric' });
  const last = period.end - 86_400_000;
  return `${date(period.start, { month: 'short', day: 'numeric' })} – ${date(last, { month: 'short', day: 'numeric', year: 'numeric' })}`;
}

export function renderUsageEmbed(input: UsageEmbedInput): APIEmbed {
  const { summary: s, period } = input;
  const lines = [`**${periodLabel(period)}** (UTC ${period.kind}, ends <t:${Math.floor(period.end / 1000)}:f>)`];
  if (input.member) lines.push(`Member: <@${input.member.userId}>`);
  const nothing = s.videos === 0 && s.pendingSeconds === 0 && s.failures === 0 && s.cancels === 0;
  if (nothing) lines.push('', input.member ? 'No videos by this member in this period.' : 'No videos in this period.');
  const fields: APIEmbedField[] = [
    { name: 'Videos delivered', value: number(s.videos), inline: true },
    { name: 'Seconds of video', value: `${number(s.seconds)} s`, inline: true },
    { name: 'Estimated cost', value: `${dollars(s.costUsd)} (estimate)`, inline: true },
    { name: 'Failed · canceled', value: `${number(s.failures)} · ${number(s.cancels)}`, inline: true },
    { name: 'Pending', value: `${number(s.pendingSeconds)} s on their way`, inline: true },
  ];
  if (input.member) {
    fields.push({ name: 'Share of the server', value: `${Math.round(input.member.shareOfServer * 100)}% of delivered seconds`, inline: true });
  } else if (s.top.length > 0) {
    const top = s.top.map((m, i) => `${i + 1}. <@${m.userId}> · ${number(m.seconds)} s · ${number(m.videos)} video${m.videos === 1 ? '' : 's'} · ${dollars(m.costUsd)}`);
    fields.push({ name: 'Top members', value: cut(top.join('\n'), 1024) });
  }
  const footer = [
    `Cost is an estimate at ${dollars(input.pricePerSecondUsd)} per second of delivered video; check the model's pricing.`,
    'Chart: delivered seconds per UTC day. CSV: every job of the period.',
    ...(input.csvNote ? [input.csvNote] : []),
  ];
  return {
    title: cut(`Video usage · ${input.guildName?.trim() || 'this server'}`, 256),
    description: cut(lines.join('\n'), 4096),
    color: colour,
    fields,
    footer: { text: cut(footer.join('\n'), 2048) },
    ...(input.chartFile ? { image: { url: `attachment://${input.chartFile}` } } : {}),
  };
}
