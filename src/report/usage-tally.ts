import { daysOf, type Period } from '../quota/period.js';
import type { UsageChartInput } from './usage-chart.js';
import type { MemberFigures, UsageRow, UsageSummary } from './usage-report.js';

const topCount = 5;
const dayMs = 86_400_000;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * A period's figures, counted batch by batch so a month of a busy guild is never held whole: per member totals,
 * and each delivered job as (member, day, seconds) in typed arrays (12 bytes a job) from which the chart's stacks of
 * the top members are drawn at the end.
 */
export class UsageTally {
  videos = 0;
  seconds = 0;
  pendingSeconds = 0;
  failures = 0;
  cancels = 0;
  private readonly members = new Map<string, { index: number; videos: number; seconds: number }>();
  private readonly ids: string[] = [];
  private delivered = { member: new Int32Array(1024), day: new Int32Array(1024), seconds: new Float64Array(1024), length: 0 };

  /** `period` places delivered jobs on the chart's days; without it only the figures are counted. */
  constructor(private readonly period?: Period) {}

  add(rows: Iterable<UsageRow>): this {
    for (const row of rows) {
      if (row.state === 'failed') this.failures++;
      else if (row.state === 'canceled') this.cancels++;
      else if (row.state !== 'done') this.pendingSeconds += row.seconds;
      if (row.state !== 'done') continue;
      this.videos++;
      this.seconds += row.seconds;
      let member = this.members.get(row.userId);
      if (!member) {
        member = { index: this.ids.length, videos: 0, seconds: 0 };
        this.members.set(row.userId, member);
        this.ids.push(row.userId);
      }
      member.videos++;
      member.seconds += row.seconds;
      if (this.period) this.place(member.index, Math.floor((row.acceptedAt - this.period.start) / dayMs), row.seconds);
    }
    return this;
  }

  summary(pricePerSecondUsd: number): UsageSummary {
    const top: MemberFigures[] = this.topMembers().map((userId) => {
      const m = this.members.get(userId)!;
      return { userId, videos: m.videos, seconds: m.seconds, costUsd: round2(m.seconds * pricePerSecondUsd) };
    });
    const { videos, seconds, pendingSeconds, failures, cancels } = this;
    return { videos, seconds, costUsd: round2(seconds * pricePerSecondUsd), pendingSeconds, failures, cancels, top };
  }

  /** Delivered seconds per day, stacked by the top members, the rest as "others". */
  chart(title: string, nameOf: (userId: string) => string): UsageChartInput {
    if (!this.period) throw new Error('a tally without a period has no chart');
    const days = daysOf(this.period);
    const top = this.topMembers();
    const stackOf = new Map(top.map((userId, i) => [this.members.get(userId)!.index, i]));
    const stacks = top.map(() => days.map(() => 0));
    const others = days.map(() => 0);
    const d = this.delivered;
    for (let i = 0; i < d.length; i++) {
      const stack = stackOf.get(d.member[i]!);
      (stack === undefined ? others : stacks[stack]!)[d.day[i]!]! += d.seconds[i]!;
    }
    const series: UsageChartInput['series'] = top.map((userId, i) => ({ name: nameOf(userId), seconds: stacks[i]! }));
    if (others.some((s) => s > 0)) series.push({ name: 'others', seconds: others, others: true });
    const labels = days.map((day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }));
    return { title, days: labels, series };
  }

  private topMembers(): string[] {
    // A partial selection would do, but even 100,000 members sort in a few ms.
    return [...this.members.entries()]
      .sort(([a, ma], [b, mb]) => mb.seconds - ma.seconds || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, topCount)
      .map(([userId]) => userId);
  }

  private place(member: number, day: number, seconds: number): void {
    // Periods start at 00:00 UTC and days are 24 h in epoch time: the day is a division. Outside the period: not drawn.
    if (day < 0 || day >= Math.round((this.period!.end - this.period!.start) / dayMs)) return;
    let d = this.delivered;
    if (d.length === d.member.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const next = make(a.length * 2);
        next.set(a);
        return next;
      };
      d = this.delivered = {
        member: grow(d.member, (n) => new Int32Array(n)),
        day: grow(d.day, (n) => new Int32Array(n)),
        seconds: grow(d.seconds, (n) => new Float64Array(n)),
        length: d.length,
      };
    }
    d.member[d.length] = member;
    d.day[d.length] = day;
    d.seconds[d.length] = seconds;
    d.length++;
  }
}
