import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/quota/period.js';
import { chartInput, summarize, usageCsv, type UsageRow } from '../../src/report/usage-report.js';
import { parseCsv } from '../harness/csv-reader.js';

const at = (day: number, hour = 12) => Date.UTC(2026, 11, day, hour);
let n = 0;
const row = (userId: string, seconds: number, state: UsageRow['state'], day = 1, prompt = `prompt ${++n}`): UsageRow => ({
  jobId: `job-${++n}`, acceptedAt: at(day), userId, seconds, state, prompt,
});

describe('the usage report', () => {
  const rows = [
    row('alice', 10, 'done', 1), row('alice', 5, 'done', 2), row('bob', 5, 'done', 2), row('bob', 5, 'failed', 3),
    row('carol', 10, 'canceled', 3), row('dan', 5, 'running', 4), ...['e', 'f', 'g', 'h'].map((u) => row(u, 5, 'done', 5)),
  ];

  it('counts delivered videos and seconds, failures, cancels, what is on its way, and the top members', () => {
    const summary = summarize(rows, 0.05);
    expect(summary).toMatchObject({ videos: 7, seconds: 40, costUsd: 2, pendingSeconds: 5, failures: 1, cancels: 1 });
    expect(summary.top.map((m) => [m.userId, m.seconds])).toEqual([['alice', 15], ['bob', 5], ['e', 5], ['f', 5], ['g', 5]]);
    expect(summary.top[0]).toMatchObject({ videos: 2, costUsd: 0.75 });
  });

  it('stacks delivered seconds per day by the top members, the rest as others', () => {
    const input = chartInput(rows, periodOf('week', at(1)), 'Usage', (id) => `@${id}`);
    expect(input.days).toEqual(['Nov 30', 'Dec 1', 'Dec 2', 'Dec 3', 'Dec 4', 'Dec 5', 'Dec 6']);
    expect(input.series.map((s) => s.name)).toEqual(['@alice', '@bob', '@e', '@f', '@g', 'others']);
    expect(input.series[0]!.seconds).toEqual([0, 10, 5, 0, 0, 0, 0]);
    expect(input.series.at(-1)!.seconds).toEqual([0, 0, 0, 0, 0, 5, 0]);
  });

  it('writes every job of the period to a CSV that parses back, prompts intact', () => {
    const tricky = row('zoe', 5, 'done', 6, '=cmd|"/c calc", then\na new line');
    const csv = usageCsv([...rows, tricky], 0.05);
    const [header, ...lines] = parseCsv(csv);
    expect(header).toEqual(['job_id', 'accepted_at', 'member_id', 'seconds', 'state', 'estimated_cost_usd', 'prompt']);
    expect(lines).toHaveLength(rows.length + 1);
    const last = lines.at(-1)!;
    expect(last).toEqual([tricky.jobId, new Date(tricky.acceptedAt).toISOString(), 'zoe', '5', 'done', '0.25', `'${tricky.prompt!}`]);
    expect(lines.find((l) => l[4] === 'failed')![5]).toBe('0');
  });

  it('writes acceptance times exactly as ISO 8601 UTC, to the millisecond, across days and years', () => {
    const times = [0, 1, 999, 86_399_999, 86_400_000, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2028, 1, 29, 7, 5, 3, 42)];
    for (let i = 0; i < 200; i++) times.push(Math.floor(((i * 7919) % 1000) / 1000 * 4e12) + i);
    const timed = times.sort((a, b) => a - b).map((acceptedAt, i) => ({ jobId: `t${String(i).padStart(3, '0')}`, acceptedAt, userId: 'u', seconds: 5, state: 'done' as const }));
    const [, ...lines] = parseCsv(usageCsv(timed, 0.05));
    expect(lines.map((l) => l[1])).toEqual(timed.map((r) => new Date(r.acceptedAt).toISOString()));
  });
});
