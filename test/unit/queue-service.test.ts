import { afterEach, describe, expect, it } from 'vitest';
import { keptImageMs } from '../../src/queue/job-input.js';
import type { AdmissionPolicy } from '../../src/queue/ports.js';
import { assertShownAfterPersisted, createBench, draft, until } from './queue-doubles.js';


afterEach(assertShownAfterPersisted);

describe('queue service: the happy path', () => {
  it('takes a job through queued, starting, running, delivering and done, each persisted before shown', async () => {
    const bench = createBench();
    const saved: string[] = [];
    const timeline: string[] = [];
    bench.store.onSaved = (job) => {
      saved.push(`${job.id}:${job.state}`);
      timeline.push(`saved ${job.id}:${job.state}`);
    };
    bench.responder.onShown = (shown) => {
      // Every state shown must already be durable.
      expect(saved).toContain(`${shown.jobId}:${shown.state}`);
      timeline.push(`shown ${shown.jobId}:${shown.state}`);
    };
    const job = await bench.submit('g1', 'alice');
    expect(saved[0]).toBe(`${job.id}:queued`);
    expect(job.seconds).toBe(5);
    await until(() => bench.runner.isWaiting('p1'), 'the prediction wait');
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'running', predictionId: 'p1' });
    expect(bench.store.peek(job.id)?.createStartedAt).toBeTypeOf('number');
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'done', 'done');

    const final = bench.store.peek(job.id)!;
    expect(final).toMatchObject({ state: 'done', delivery: 'attachment', outputUrl: 'https://replicate.delivery/p1/out.mp4' });
    expect(final.finishedAt).toBeTypeOf('number');
    const states = bench.responder.of(job.id).map((s) => `${s.kind}:${s.state}`);
    // A job that can start at once is never shown as waiting.
    expect(states).toEqual(['update:starting', 'update:running', 'update:delivering', 'deliver:delivering', 'ping:delivering']);
    expect(bench.runner.creates).toHaveLength(1);
    expect(timeline.indexOf(`saved ${job.id}:running`)).toBeLessThan(timeline.indexOf(`shown ${job.id}:running`));
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
    expect((await bench.queue.getJob(job.id))?.state).toBe('done');
  });

  it('stores the image before the job joins the line, passes it to the runner and keeps it a week once delivered', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice', { image: true });
    expect(bench.store.peek(job.id)?.image).toMatchObject({ stored: true, mimeType: 'image/png' });
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.runner.creates[0]?.image).toMatchObject({ mimeType: 'image/png', filename: 'cat.png' });
    expect(bench.runner.creates[0]?.image?.bytes.toString()).toBe('png-bytes');
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'done');
    const keptUntil = bench.store.peek(job.id)?.image?.keptUntil;
    expect(keptUntil).toBe(bench.clock.now() + keptImageMs);
    expect(bench.store.kept.get(job.id)).toBe(keptUntil);
    expect(bench.store.hasImage(job.id)).toBe(true);
  });

  it('deletes the image of a job that failed', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice', { image: true });
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'failed');
    await until(() => bench.store.peek(job.id)?.state === 'failed');
    await until(() => !bench.store.hasImage(job.id), 'image deleted');
    expect(bench.store.kept.has(job.id)).toBe(false);
  });

  it('runs a guild round robin by member: A1, A2, B1 run as A1, B1, A2', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1, guildConcurrency: 1 } });
    const a1 = await bench.submit('g1', 'a');
    const a2 = await bench.submit('g1', 'a');
    const b1 = await bench.submit('g1', 'b');
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.responder.lastPosition(b1.id)).toBe(1);
    expect(bench.responder.lastPosition(a2.id)).toBe(2);
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.runner.isWaiting('p2'));
    bench.runner.end('p2', 'succeeded');
    await until(() => bench.runner.isWaiting('p3'));
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([a1.id, b1.id, a2.id]);
    expect(bench.responder.lastPosition(a2.id)).toBe(1);
  });

  it('takes guilds in turn when the process-wide cap binds', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1, guildConcurrency: 1 } });
    const x1 = await bench.submit('gx', 'u1');
    const x2 = await bench.submit('gx', 'u2');
    const y1 = await bench.submit('gy', 'u1');
    for (let p = 1; p <= 2; p++) {
      await until(() => bench.runner.isWaiting(`p${p}`));
      bench.runner.end(`p${p}`, 'succeeded');
    }
    await until(() => bench.runner.isWaiting('p3'));
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([x1.id, y1.id, x2.id]);
  });

  it('never runs more predictions than maxConcurrent, nor more per guild than guildConcurrency', async () => {
    const bench = createBench({ limits: { maxConcurrent: 3, guildConcurrency: 2, userPendingLimit: 10 } });
    for (let i = 0; i < 4; i++) await bench.submit('ga', `u${i}`);
    for (let i = 0; i < 4; i++) await bench.submit('gb', `u${i}`);
    await until(() => bench.runner.waits.length === 3);
    expect(bench.queue.stats()).toMatchObject({ running: 3, waiting: 5 });
    const perGuild = bench.runner.creates.map((c) => c.job.guildId);
    expect(perGuild.filter((g) => g === 'ga').length).toBeLessThanOrEqual(2);
    expect(perGuild.filter((g) => g === 'gb').length).toBeLessThanOrEqual(2);
  });
});

describe('queue service: admission', () => {
  it('refuses a member over the pending limit, counting jobs admitted but not yet accepted', () => {
    const bench = createBench({ limits: { userPendingLimit: 2 } });
    expect(bench.queue.admit(draft('g1', 'alice')).ok).toBe(true);
    expect(bench.queue.admit(draft('g1', 'alice')).ok).toBe(true);
    expect(bench.queue.admit(draft('g1', 'alice'))).toEqual({ ok: false, refusal: 'pending-limit' });
    expect(bench.queue.admit(draft('g2', 'alice')).ok).toBe(true);
    expect(bench.queue.admit(draft('g1', 'bob')).ok).toBe(true);
  });

  it('refuses when the guild queue is full, and admits again once a place frees up', async () => {
    const bench = createBench({ limits: { guildQueueLimit: 2, maxConcurrent: 1, userPendingLimit: 5 } });
    const first = await bench.submit('g1', 'a');
    await until(() => bench.runner.isWaiting('p1'));
    await bench.submit('g1', 'b');
    const admitted = bench.queue.admit(draft('g1', 'c'));
    expect(admitted.ok).toBe(true);
    expect(bench.queue.admit(draft('g1', 'd'))).toEqual({ ok: false, refusal: 'queue-full' });
    expect(bench.queue.admit(draft('g2', 'd')).ok).toBe(true);
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(first.id)?.state === 'done');
    expect(bench.queue.admit(draft('g1', 'd')).ok).toBe(true);
  });

  it('gives each admitted job a new id, the next seq and the requested seconds, and frees a released one', () => {
    const bench = createBench({ limits: { userPendingLimit: 1 } });
    const a = bench.queue.admit({ ...draft('g1', 'alice'), request: { prompt: 'x', duration: 10 } });
    if (!a.ok) throw new Error('refused');
    expect(a.job).toMatchObject({ state: 'queued', seq: 1, seconds: 10, guildId: 'g1', userId: 'alice' });
    expect(bench.queue.admit(draft('g1', 'alice')).ok).toBe(false);
    bench.queue.release(a.job.id);
    const b = bench.queue.admit(draft('g1', 'alice'));
    expect(b.ok && b.job.seq).toBe(2);
    expect(b.ok && b.job.id).not.toBe(a.job.id);
  });

  it('admits hundreds at once synchronously and holds the guild limit exactly', () => {
    const bench = createBench({ limits: { guildQueueLimit: 250, userPendingLimit: 1 } });
    let ok = 0;
    for (let i = 0; i < 400; i++) if (bench.queue.admit(draft('g1', `u${i}`)).ok) ok++;
    expect(ok).toBe(250);
    expect(bench.queue.stats().accepting).toBe(250);
  });
});

describe('queue service: a burst never admits more than the limits allow', () => {
  it('holds the guild and member limits while admits interleave with acceptances and starts', async () => {
    const limits = { maxConcurrent: 4, guildConcurrency: 2, guildQueueLimit: 5, userPendingLimit: 3 };
    const bench = createBench({ limits });
    const admitted: { guildId: string; userId: string }[] = [];
    const accepting: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const guildId = `g${i % 3}`;
      const userId = `u${(i * 7) % 11}`;
      const admission = bench.queue.admit(draft(guildId, userId));
      if (admission.ok) {
        admitted.push({ guildId, userId });
        accepting.push(bench.queue.accept(admission.job));
      }
      // Let some acceptances land (and jobs start) between admits, as a real burst does.
      if (i % 5 === 0) await Promise.resolve();
      for (const g of ['g0', 'g1', 'g2']) {
        const inGuild = admitted.filter((a) => a.guildId === g);
        expect(inGuild.length).toBeLessThanOrEqual(limits.guildQueueLimit + limits.guildConcurrency);
        for (const u of new Set(inGuild.map((a) => a.userId))) {
          expect(inGuild.filter((a) => a.userId === u).length).toBeLessThanOrEqual(limits.userPendingLimit);
        }
      }
    }
    await Promise.all(accepting);
    await until(() => bench.runner.waits.length === 4, 'four predictions running');
    const stats = bench.queue.stats();
    expect(stats.running).toBe(4);
    expect(stats.waiting + stats.running).toBe(admitted.length);
    expect(admitted.length).toBeLessThanOrEqual(3 * limits.guildQueueLimit + limits.maxConcurrent);
    expect(bench.runner.creates).toHaveLength(4);
  });
});

describe('queue service: many jobs', () => {
  it('runs hundreds of jobs across guilds to the end with the caps held and nothing left behind', async () => {
    const bench = createBench({ limits: { maxConcurrent: 4, guildConcurrency: 2, guildQueueLimit: 100, userPendingLimit: 10 } });
    const ids: string[] = [];
    for (let g = 0; g < 5; g++) for (let u = 0; u < 8; u++) for (let k = 0; k < 5; k++) ids.push((await bench.submit(`g${g}`, `u${u}`)).id);
    let ended = 0;
    while (ended < ids.length) {
      await until(() => bench.runner.waits.length > ended, 'a running prediction');
      expect(bench.queue.stats().running).toBeLessThanOrEqual(4);
      bench.runner.end(bench.runner.waits[ended]!, 'succeeded');
      ended++;
    }
    await until(() => ids.every((id) => bench.store.peek(id)?.state === 'done'), 'all done');
    expect(bench.runner.creates).toHaveLength(200);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });
});

describe('queue service: the moderators’ policy', () => {
  function recordingPolicy(overrides: Partial<AdmissionPolicy> = {}) {
    const events: string[] = [];
    const policy: AdmissionPolicy = {
      check: () => undefined,
      limitsOf: () => ({ concurrency: 5, queue: 50, pending: 5 }),
      reserve: (job) => events.push(`reserve ${job.id}`),
      release: (job) => events.push(`release ${job.id}`),
      accepted: (job) => events.push(`accepted ${job.id}`),
      ended: (job) => events.push(`ended ${job.id} ${job.state}`),
      ...overrides,
    };
    return { policy, events };
  }

  it('refuses with the policy’s words before reserving anything', () => {
    const { policy, events } = recordingPolicy({ check: () => ({ code: 'paused', text: 'Video making is paused.' }) });
    const bench = createBench({ policy });
    expect(bench.queue.admit(draft('g1', 'alice'))).toEqual({ ok: false, refusal: 'policy', policy: { code: 'paused', text: 'Video making is paused.' } });
    expect(events).toEqual([]);
    expect(bench.queue.stats().accepting).toBe(0);
  });

  it('reserves at admission, records acceptance, and reports the end: charged when done, refunded when failed', async () => {
    const { policy, events } = recordingPolicy();
    const bench = createBench({ policy });
    const done = await bench.submit('g1', 'alice');
    const failed = await bench.submit('g1', 'bob');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.runner.isWaiting('p2'));
    bench.runner.end('p2', 'failed', { error: 'nope' });
    await until(() => events.length === 6);
    expect(events).toEqual([
      `reserve ${done.id}`, `accepted ${done.id}`, `reserve ${failed.id}`, `accepted ${failed.id}`,
      `ended ${done.id} done`, `ended ${failed.id} failed`,
    ]);
  });

  it('gives the reservation back when the acknowledgement failed', () => {
    const { policy, events } = recordingPolicy();
    const bench = createBench({ policy });
    const admission = bench.queue.admit(draft('g1', 'alice'));
    if (!admission.ok) throw new Error('refused');
    bench.queue.release(admission.job);
    expect(events).toEqual([`reserve ${admission.job.id}`, `release ${admission.job.id}`]);
  });

  it('applies a guild’s lower limits: its waiting line, its members’ pending jobs and its concurrency', async () => {
    const { policy } = recordingPolicy({ limitsOf: (guildId) => (guildId === 'small' ? { concurrency: 1, queue: 2, pending: 1 } : { concurrency: 5, queue: 50, pending: 5 }) });
    const bench = createBench({ policy, limits: { maxConcurrent: 10, guildConcurrency: 3, guildQueueLimit: 10, userPendingLimit: 3 } });
    await bench.submit('small', 'alice');
    expect(bench.queue.admit(draft('small', 'alice'))).toEqual({ ok: false, refusal: 'pending-limit' });
    await bench.submit('small', 'bob');
    await bench.submit('small', 'carol');
    expect(bench.queue.admit(draft('small', 'erin'))).toEqual({ ok: false, refusal: 'queue-full' });
    await until(() => bench.runner.waits.length === 1);
    expect(bench.queue.stats()).toMatchObject({ running: 1, waiting: 2 });
    for (const u of ['a', 'b', 'c']) await bench.submit('big', u);
    await until(() => bench.runner.waits.length === 4);
    expect(bench.queue.stats().running).toBe(4);
  });
});

describe('queue service: stored before the member is answered', () => {
  it('stores the job’s first version before the acknowledgement, and waits for it before going on', async () => {
    const bench = createBench();
    const admission = bench.queue.admit(draft('g1', 'alice', { image: true }));
    if (!admission.ok) throw new Error('refused');
    let acknowledge!: (ok: boolean) => void;
    const accepted = bench.queue.accept(admission.job, new Promise((resolve) => (acknowledge = resolve)));
    await bench.queue.whenStored(admission.job.id);
    expect(bench.store.peek(admission.job.id)?.state).toBe('queued');
    await until(() => false, 'nothing more without the acknowledgement').catch(() => undefined);
    expect(bench.store.peek(admission.job.id)?.image?.stored).toBe(false);
    expect(bench.runner.creates).toEqual([]);
    acknowledge(true);
    await accepted;
    await until(() => bench.runner.creates.length === 1, 'the create');
  });

  it('says at once when the store refuses the first write, and keeps trying it', async () => {
    const bench = createBench();
    bench.store.failSavesOf(() => true, 3);
    const admission = bench.queue.admit(draft('g1', 'alice'));
    if (!admission.ok) throw new Error('refused');
    const accepted = bench.queue.accept(admission.job, Promise.resolve(false));
    expect(await bench.queue.whenStored(admission.job.id)).toBe('refused');
    for (let i = 0; i < 20 && bench.store.peek(admission.job.id)?.state !== 'canceled'; i++) await bench.clock.advance(1_000);
    await accepted;
    expect(bench.store.peek(admission.job.id)?.state).toBe('canceled');
    expect(bench.runner.creates).toEqual([]);
  });

  it('ends a job whose acknowledgement failed quietly: never shown, never at Replicate', async () => {
    const bench = createBench();
    const admission = bench.queue.admit(draft('g1', 'alice'));
    if (!admission.ok) throw new Error('refused');
    await bench.queue.accept(admission.job, Promise.resolve(false));
    expect(bench.store.peek(admission.job.id)).toMatchObject({ state: 'canceled', reason: 'The request could not be acknowledged.' });
    expect(bench.responder.of(admission.job.id)).toEqual([]);
    expect(bench.runner.creates).toEqual([]);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });
});
