import { describe, expect, it } from 'vitest';
import { GuildPolicy } from '../../src/moderation/guild-policy.js';
import type { Job } from '../../src/queue/job.js';
import type { OperatorPolicy } from '../../src/settings/guild-settings.js';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { MemoryStore } from '../harness/memory-store.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog } from './queue-doubles.js';

const operator: OperatorPolicy = { quotaDefaultSeconds: 20, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 20 } };

function policyOn(store: MemoryStore, clock: ManualClock) {
  return new GuildPolicy({ records: new GuildRecords(store), operator, clock, log: captureLog().log });
}

let n = 0;
function jobFor(userId: string, clock: ManualClock, seconds = 5): Job {
  return {
    id: `job-${++n}`, guildId: 'g1', userId, seq: n, state: 'queued', request: { prompt: `p${n}`, ...(seconds === 10 ? { duration: 10 } : {}) }, seconds,
    reply: { applicationId: 'a', interactionId: 'i', interactionToken: 't', interactionAt: 0, channelId: 'c', attachmentSizeLimit: 1 },
    createdAt: clock.now(), updatedAt: clock.now(),
  };
}

const ask = (userId: string, clock: ManualClock, seconds = 5) => ({
  guildId: 'g1', userId, roleIds: [], channelId: 'c', seconds, prompt: 'a cat', now: clock.now(),
});

/** What /video does synchronously before the acknowledgement: check, then reserve. */
function admit(policy: GuildPolicy, userId: string, clock: ManualClock, seconds = 5): Job | undefined {
  if (policy.gate(ask(userId, clock, seconds))) return undefined;
  const job = jobFor(userId, clock, seconds);
  policy.reserve(job);
  return job;
}

describe('the guild policy', () => {
  it('never overspends: of ten requests at once, only the allowance’s worth is admitted', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const policy = policyOn(new MemoryStore(), clock);
    await policy.start([], async () => undefined);
    const admitted = Array.from({ length: 10 }, () => admit(policy, 'alice', clock)).filter(Boolean);
    expect(admitted).toHaveLength(4);
    expect(policy.gate(ask('alice', clock))?.text).toMatch(/^You have 0 of 20 seconds left today; this video needs 5\./);
  });

  it('charges delivered videos, refunds failed and canceled ones', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const policy = policyOn(new MemoryStore(), clock);
    await policy.start([], async () => undefined);
    const [a, b, c, d] = [0, 1, 2, 3].map(() => admit(policy, 'alice', clock)!);
    for (const job of [a, b, c, d]) policy.accepted(job!);
    policy.ended({ ...a!, state: 'done' });
    policy.ended({ ...b!, state: 'failed' });
    policy.ended({ ...c!, state: 'canceled' });
    expect(policy.gate(ask('alice', clock, 10))).toBeUndefined();
    expect(policy.gate(ask('alice', clock, 10))).toBeUndefined();
    expect(admit(policy, 'alice', clock, 10)).toBeDefined();
    expect(policy.gate(ask('alice', clock))?.code).toBe('over-allowance');
  });

  it('gives back after a restart exactly what the jobs say, a job that ended while down included', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const before = policyOn(store, clock);
    await before.start([], async () => undefined);
    const delivered = admit(before, 'alice', clock)!;
    const running = admit(before, 'alice', clock)!;
    const endedWhileDown = admit(before, 'alice', clock)!;
    for (const job of [delivered, running, endedWhileDown]) before.accepted(job);
    before.ended({ ...delivered, state: 'done' });
    await clock.advance(0);
    await new Promise((resolve) => setImmediate(resolve));

    // The process died; meanwhile the store holds: running still active, endedWhileDown failed.
    const after = policyOn(store, clock);
    await after.start([{ ...running, state: 'running' }], async (id) => (id === endedWhileDown.id ? { ...endedWhileDown, state: 'failed' } : undefined));
    // 5 s charged + 5 s reserved of 20: two more 5 s videos, not three.
    expect(admit(after, 'alice', clock)).toBeDefined();
    expect(admit(after, 'alice', clock)).toBeDefined();
    expect(admit(after, 'alice', clock)).toBeUndefined();
    const rows = await after.rowsOf('g1', 'day', clock.now());
    expect(rows.find((r) => r.jobId === endedWhileDown.id)?.state).toBe('failed');
  });

  it('answers a moderator’s change only once it is stored, and applies it to the next request', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const policy = policyOn(store, clock);
    await policy.start([], async () => undefined);
    const result = await policy.change('g1', { kind: 'words-add', word: 'gore' }, 'mod');
    expect(result.ok).toBe(true);
    expect((await new GuildRecords(store).loadSettings('g1')).words).toEqual(['gore']);
    expect(policy.gate({ ...ask('alice', clock), prompt: 'so much GORE' })?.code).toBe('blocked-word');
    const restarted = policyOn(store, clock);
    await restarted.start([], async () => undefined);
    expect(restarted.gate({ ...ask('alice', clock), prompt: 'so much GORE' })?.code).toBe('blocked-word');
  });

  it('counts the cooldown from the member’s last accepted request, across a restart', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const policy = policyOn(store, clock);
    await policy.start([], async () => undefined);
    await policy.change('g1', { kind: 'limits', cooldown: 60 }, 'mod');
    const job = admit(policy, 'alice', clock)!;
    policy.accepted(job);
    expect(policy.gate(ask('alice', clock))?.code).toBe('cooldown');
    await clock.advance(30_000);
    const restarted = policyOn(store, clock);
    await restarted.start([job], async () => undefined);
    expect(restarted.gate(ask('alice', clock))?.code).toBe('cooldown');
    await clock.advance(30_000);
    expect(restarted.gate({ ...ask('alice', clock), now: clock.now() })).toBeUndefined();
  });

  it('answers which models a member may run and the default, from settings stored before a restart', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const store = new MemoryStore();
    const models = {
      defaultModel: 'wan/fast',
      list: () => [
        { model: 'wan/fast' as const, pricePerSecondUsd: 0.05, isDefault: true },
        { model: 'google/veo' as const, pricePerSecondUsd: 0.4, isDefault: false },
      ],
    };
    const first = new GuildPolicy({ records: new GuildRecords(store), operator, clock, log: captureLog().log, models });
    await first.start([], async () => undefined);
    expect(first.modelsFor('g1', [])).toEqual({ allowed: ['wan/fast', 'google/veo'], defaultModel: 'wan/fast' });
    expect(await first.change('g1', { kind: 'models-allow', model: 'google/veo', roleId: 'r1' }, 'mod')).toMatchObject({ ok: true });
    expect(first.preview('g1', { kind: 'models-default', model: 'google/veo' }, 'mod')).toMatchObject({ ok: false });
    const again = new GuildPolicy({ records: new GuildRecords(store), operator, clock, log: captureLog().log, models });
    await again.start([], async () => undefined);
    expect(again.modelsFor('g1', [])).toEqual({ allowed: ['wan/fast'], defaultModel: 'wan/fast' });
    expect(again.modelsFor('g1', ['r1'])).toEqual({ allowed: ['wan/fast', 'google/veo'], defaultModel: 'wan/fast' });
  });
});
