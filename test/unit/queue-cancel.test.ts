import { afterEach, describe, expect, it } from 'vitest';
import { assertShownAfterPersisted, createBench, draft, until } from './queue-doubles.js';

const requester = (userId: string) => ({ userId, guildId: 'g1', canManageGuild: false });
const moderator = { userId: 'mod', guildId: 'g1', canManageGuild: true };


afterEach(assertShownAfterPersisted);

describe('queue service: cancel', () => {
  it("a job is not found from another guild, even by its requester or that guild's moderator", async () => {
    const bench = createBench({ limits: { maxConcurrent: 1 } });
    await bench.submit('g1', 'alice');
    const waiting = await bench.submit('g1', 'bob');
    const elsewhere = { userId: 'mod', guildId: 'g2', canManageGuild: true };
    expect(bench.queue.checkCancel(waiting.id, elsewhere)).toBe('job-not-found');
    expect(bench.queue.checkCancel(waiting.id, { ...requester('bob'), guildId: 'g2' })).toBe('job-not-found');
    expect(await bench.queue.cancel(waiting.id, elsewhere)).toBe('not-found');
    expect(bench.store.peek(waiting.id)?.state).toBe('queued');
    expect(bench.queue.checkCancel(waiting.id, moderator)).toBe('ok');
  });

  it('a waiting job canceled by its requester never reaches Replicate', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1 } });
    const first = await bench.submit('g1', 'alice');
    const waiting = await bench.submit('g1', 'bob');
    const behind = await bench.submit('g1', 'carol');
    expect(bench.responder.lastPosition(behind.id)).toBe(2);

    expect(await bench.queue.cancel(waiting.id, requester('bob'))).toBe('canceled');
    expect(bench.store.peek(waiting.id)).toMatchObject({ state: 'canceled', reason: 'Canceled by the requester.' });
    expect(bench.store.peek(waiting.id)?.canceledBy).toBeUndefined();
    expect(bench.responder.of(waiting.id).at(-1)).toMatchObject({ kind: 'finish', state: 'canceled' });
    expect(bench.responder.lastPosition(behind.id)).toBe(1);

    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.runner.isWaiting('p2'));
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([first.id, behind.id]);
  });

  it('a running job canceled by a moderator is canceled at Replicate and records who did it', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    expect(await bench.queue.cancel(job.id, moderator)).toBe('canceled');
    expect(bench.runner.canceled).toEqual(['p1']);
    expect(bench.store.peek(job.id)).toMatchObject({
      state: 'canceled',
      canceledBy: 'mod',
      reason: 'Canceled by a moderator.',
      predictionId: 'p1',
    });
    expect(bench.responder.of(job.id).at(-1)).toMatchObject({ kind: 'finish', state: 'canceled' });
    expect(bench.queue.stats().running).toBe(0);
  });

  it('a cancel while the create is in flight ends the job at once and cancels the prediction if the create went through', async () => {
    const bench = createBench();
    bench.runner.holdCreates = true;
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.creates.length === 1);
    // The aborted request had reached Replicate: the prediction exists and is found afterwards.
    bench.runner.found.set(job.id, { id: 'p-made', status: 'starting' });
    expect(await bench.queue.cancel(job.id, requester('alice'))).toBe('canceled');
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'canceled', reason: 'Canceled by the requester.' });
    expect(bench.responder.of(job.id).map((s) => s.state)).not.toContain('running');
    await until(() => bench.runner.canceled.length === 1, 'the prediction canceled');
    expect(bench.runner.canceled).toEqual(['p-made']);
    expect(bench.runner.waits).toEqual([]);
  });

  it('a cancel while Replicate cannot be reached for the create ends the job without waiting for Replicate', async () => {
    const bench = createBench();
    bench.runner.holdCreates = true;
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.creates.length === 1);
    expect(await bench.queue.cancel(job.id, requester('alice'))).toBe('canceled');
    expect(bench.store.peek(job.id)?.state).toBe('canceled');
    await until(() => bench.queue.stats().running === 0, 'the slot freed');
    expect(bench.runner.canceled).toEqual([]);
  });

  it('refuses a member who is neither the requester nor a moderator', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    expect(await bench.queue.cancel(job.id, requester('mallory'))).toBe('not-allowed');
    expect(await bench.queue.cancel('nope', requester('alice'))).toBe('not-found');
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.runner.canceled).toEqual([]);
  });

  it('answers already-finished for a delivering or finished job', async () => {
    const bench = createBench();
    bench.responder.holdDeliveries = true;
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'delivering');
    expect(await bench.queue.cancel(job.id, requester('alice'))).toBe('already-finished');
    bench.responder.holdDeliveries = false;
    await bench.queue.stop();
    const done = createBench({ store: bench.store, idPrefix: 'next-' });
    await done.queue.start();
    await until(() => done.store.peek(job.id)?.state === 'done');
    expect(await done.queue.cancel(job.id, requester('alice'))).toBe('already-finished');
  });

  it('a cancel while the image is downloading ends the job before it joins the line', async () => {
    let release!: () => void;
    const bench = createBench({
      fetchImage: (_image, signal) =>
        new Promise((resolve, reject) => {
          release = () => resolve({ bytes: Buffer.from('png'), mimeType: 'image/png' });
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const admission = bench.queue.admit({
      guildId: 'g1',
      userId: 'alice',
      request: { prompt: 'p' },
      image: { filename: 'a.png', contentType: 'image/png', size: 3, url: 'https://cdn/a.png', stored: false },
      reply: { applicationId: 'a', interactionId: 'i', interactionToken: 't', interactionAt: 0, channelId: 'c', attachmentSizeLimit: 1 },
    });
    if (!admission.ok) throw new Error('refused');
    const accepted = bench.queue.accept(admission.job);
    await until(() => bench.store.peek(admission.job.id)?.state === 'queued');
    expect(await bench.queue.cancel(admission.job.id, requester('alice'))).toBe('canceled');
    await accepted;
    expect((await bench.queue.getJob(admission.job.id))?.state).toBe('canceled');
    void release;
    expect(bench.runner.creates).toEqual([]);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });
});

describe('queue service: a moderator blocks a member', () => {
  it('cancels their jobs still being accepted (image downloading) and waiting, and none reaches Replicate', async () => {
    const downloads: (() => void)[] = [];
    const bench = createBench({
      limits: { maxConcurrent: 1, userPendingLimit: 5 },
      fetchImage: (_image, signal) =>
        new Promise((resolve, reject) => {
          downloads.push(() => resolve({ bytes: Buffer.from('png'), mimeType: 'image/png' }));
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const running = await bench.submit('g1', 'bob');
    await until(() => bench.runner.isWaiting('p1'));
    const waiting = await bench.submit('g1', 'eve');
    const admission = bench.queue.admit(draft('g1', 'eve', { image: true }));
    if (!admission.ok) throw new Error('refused');
    const accepting = bench.queue.accept(admission.job);
    await until(() => downloads.length === 1, 'the image download started');

    expect(await bench.queue.cancelNotStartedOf('g1', 'eve', moderator)).toBe(2);
    await accepting;
    downloads[0]!();
    for (const id of [waiting.id, admission.job.id]) {
      expect(bench.store.peek(id)).toMatchObject({ state: 'canceled', reason: 'Canceled by a moderator.', canceledBy: 'mod' });
    }
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(running.id)?.state === 'done');
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([running.id]);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });
});

describe('queue service: checkCancel (no I/O, before the button is acknowledged)', () => {
  it('answers from memory for live, finished and unknown jobs', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    expect(bench.queue.checkCancel(job.id, requester('alice'))).toBe('ok');
    expect(bench.queue.checkCancel(job.id, moderator)).toBe('ok');
    expect(bench.queue.checkCancel(job.id, requester('mallory'))).toBe('not-allowed-to-cancel');
    expect(bench.queue.checkCancel('nope', requester('alice'))).toBe('job-not-found');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'done');
    await until(() => bench.queue.checkCancel(job.id, requester('alice')) === 'already-finished');
  });
});
