import { describe, expect, it } from 'vitest';
import { describeAllowanceLeft, describeMemberJobs, describeVideoLinks, renderQueue, renderUsage } from '../../commands/member-view.js';
import type { Standing } from '../../src/moderation/gate.js';
import type { Job } from '../../src/queue/job.js';
import { periodOf } from '../../src/quota/period.js';

const now = Date.UTC(2026, 11, 2, 15);
const day = periodOf('day', now);
const week = periodOf('week', now);
const reset = (end: number) => `<t:${end / 1000}:R>`;

function standing(patch: Partial<Standing>): Standing {
  return { period: day, allowance: 60, used: 20, left: 40, ...patch };
}

function job(prompt: string, patch: Partial<Job> = {}): Job {
  return {
    id: `job-${prompt.length}`, guildId: 'g', userId: 'u', seq: 1, state: 'queued', request: { prompt }, seconds: 5,
    reply: { applicationId: 'a', interactionId: 'i', interactionToken: 't', interactionAt: now, channelId: 'c', attachmentSizeLimit: 1 },
    createdAt: now, updatedAt: now, ...patch,
  };
}

describe("what /usage and /queue show a member", () => {
  it('says what is left of the allowance and when it resets; unlimited and 0 plainly', () => {
    expect(describeAllowanceLeft(standing({}))).toBe(`40 of 60 seconds left today · resets ${reset(day.end)}`);
    expect(describeAllowanceLeft(standing({ period: week, allowance: 300, used: 0, left: 300 }))).toBe(
      `300 of 300 seconds left this week · resets ${reset(week.end)}`,
    );
    expect(describeAllowanceLeft(standing({ allowance: 'unlimited', used: 0, left: Infinity }))).toBe('Unlimited');
    expect(describeAllowanceLeft(standing({ allowance: 'unlimited', used: 15, left: Infinity }))).toBe('Unlimited (15 seconds used today)');
    expect(describeAllowanceLeft(standing({ allowance: 0, used: 0, left: 0 }))).toBe("0 seconds: you can't make videos in this server");
  });

  it("shows the server's budget only when it has one", () => {
    const withBudget = renderUsage({ standing: standing({ budget: { seconds: 300, used: 120, left: 180 } }), jobs: [], links: [] });
    expect(withBudget.description).toContain(`**Server budget:** 180 of 300 seconds left today for everyone · resets ${reset(day.end)}`);
    expect(renderUsage({ standing: standing({}), jobs: [], links: [] }).description).not.toContain('budget');
  });

  it('lists live jobs with their place and ETA, and says plainly when one runs past its estimate', () => {
    const lines = describeMemberJobs([
      { job: job('running', { state: 'running' }), etaMs: -5_000 },
      { job: job('posting', { state: 'delivering' }) },
      { job: job('waiting'), position: 3, etaMs: 11 * 60_000 },
      { job: job('fetching its image') },
    ]).split('\n');
    expect(lines).toEqual([
      '• Generating: “running” (5 s) · taking longer than usual',
      '• Being posted: “posting” (5 s)',
      '• Waiting, position 3: “waiting” (5 s) · ready in about 15 min',
      '• Getting ready: “fetching its image” (5 s)',
    ]);
  });

  it("keeps a prompt's markdown and brackets from breaking a link, and every field within Discord's 1024 characters", () => {
    const url = 'https://discord.com/channels/1/2/3';
    const links = describeVideoLinks([{ job: job('a **bold** [link](https://evil.example)'), url }]);
    expect(links).toMatch(/^• \[“a \\\*\\\*bold\\\*\\\* link\(https:\/\/evil\.example\)”\]\(https:\/\/discord\.com\/channels\/1\/2\/3\) · <t:\d+:R>$/);
    const many = Array.from({ length: 30 }, (_, i) => ({ job: job(`${'x'.repeat(200)} ${i}`), position: i + 1 }));
    const embed = renderQueue({ snapshot: { waiting: 30, running: 1, concurrency: 1 }, jobs: many });
    expect(embed.fields![0]!.value.length).toBeLessThanOrEqual(1024);
    const usage = renderUsage({ standing: standing({}), jobs: many, links: Array.from({ length: 5 }, () => ({ job: job('y'.repeat(2500)), url })) });
    for (const field of usage.fields!) expect(field.value.length).toBeLessThanOrEqual(1024);
  });
});
