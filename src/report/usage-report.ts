import { daysOf, type Period } from '../quota/period.js';
import { toCsv } from './csv.js';
import type { UsageChartInput } from './usage-chart.js';

/** One job as the per-guild, per-day usage index keeps it: what a report needs and nothing else. */
export interface UsageRow {
  jobId: string;
  /** Acceptance time, epoch ms. */
  acceptedAt: number;
  userId: string;
  seconds: number;
  state: 'queued' | 'starting' | 'running' | 'delivering' | 'done' | 'failed' | 'canceled';
  /** Absent once the member's data was forgotten (their seconds stay counted). */
  prompt?: string;
}

export interface MemberFigures {
  userId: string;
  videos: number;
  seconds: number;
  costUsd: number;
}

export interface UsageSummary {
  /** Delivered videos and their seconds (what was charged). */
  videos: number;
  seconds: number;
  costUsd: number;
  /** Seconds reserved by jobs still on their way. */
  pendingSeconds: number;
  failures: number;
  cancels: number;
  /** Most seconds first. */
  top: MemberFigures[];
}

const topCount = 5;
const dayMs = 86_400_000;

export function summarize(rows: readonly UsageRow[], pricePerSecondUsd: number): UsageSummary {
  const perMember = new Map<string, MemberFigures>();
  const summary: UsageSummary = { videos: 0, seconds: 0, costUsd: 0, pendingSeconds: 0, failures: 0, cancels: 0, top: [] };
  for (const row of rows) {
    if (row.state === 'failed') summary.failures++;
    else if (row.state === 'canceled') summary.cancels++;
    else if (row.state !== 'done') summary.pendingSeconds += row.seconds;
    if (row.state !== 'done') continue;
    summary.videos++;
    summary.seconds += row.seconds;
    const member = perMember.get(row.userId) ?? { userId: row.userId, videos: 0, seconds: 0, costUsd: 0 };
    member.videos++;
    member.seconds += row.seconds;
    perMember.set(row.userId, member);
  }
  summary.costUsd = round2(summary.seconds * pricePerSecondUsd);
  for (const member of perMember.values()) member.costUsd = round2(member.seconds * pricePerSecondUsd);
  summary.top = [...perMember.values()].sort((a, b) => b.seconds - a.seconds || a.userId.localeCompare(b.userId)).slice(0, topCount);
  return summary;
}

/** Delivered seconds per day, stacked by the top members, the rest as "others". */
export function chartInput(rows: readonly UsageRow[], period: Period, title: string, nameOf: (userId: string) => string): UsageChartInput {
  const days = daysOf(period);
  const top = summarize(rows, 0).top.map((m) => m.userId);
  const stacks = new Map<string, number[]>(top.map((userId) => [userId, days.map(() => 0)]));
  const others = days.map(() => 0);
  for (const row of rows) {
    if (row.state !== 'done') continue;
    // Periods start at 00:00 UTC and days are 24 h (no leap seconds in epoch time): the index is a division.
    const i = Math.floor((row.acceptedAt - period.start) / dayMs);
    if (i < 0 || i >= days.length) continue;
    (stacks.get(row.userId) ?? others)[i]! += row.seconds;
  }
  const series: UsageChartInput['series'] = top.map((userId) => ({ name: nameOf(userId), seconds: stacks.get(userId)! }));
  if (others.some((s) => s > 0)) series.push({ name: 'others', seconds: others, others: true });
  const labels = days.map((day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }));
  return { title, days: labels, series };
}

/** The period's jobs, one line each (RFC 4180, formulas neutralised); `promptLength` cuts long prompts. */
export function usageCsv(rows: readonly UsageRow[], pricePerSecondUsd: number, options: { promptLength?: number } = {}): string {
  const cutPrompt = (prompt: string) => (options.promptLength !== undefined && prompt.length > options.promptLength ? `${prompt.slice(0, options.promptLength - 1)}…` : prompt);
  const sorted = [...rows].sort((a, b) => a.acceptedAt - b.acceptedAt || a.jobId.localeCompare(b.jobId));
  return toCsv(
    ['job_id', 'accepted_at', 'member_id', 'seconds', 'state', 'estimated_cost_usd', 'prompt'],
    sorted.map((row) => [
      row.jobId,
      new Date(row.acceptedAt).toISOString(),
      row.userId,
      row.seconds,
      row.state,
      row.state === 'done' ? round2(row.seconds * pricePerSecondUsd) : 0,
      cutPrompt(row.prompt ?? ''),
    ]),
  );
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
