import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { flushMicrotasks } from '../harness/test-clock.js';
import { assertShownAfterPersisted, createBench, type Bench } from './queue-doubles.js';

afterEach(assertShownAfterPersisted);

/** Lets promise chains run and the writer's backoff timers fire until the condition holds. */
async function eventually(bench: Bench, condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await flushMicrotasks();
    await bench.clock.advance(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const refusedTimes = 3;

/** Runs a job with the store refusing the writes `matches` picks, `refusedTimes` times each, and returns the end. */
async function runWithRefusals(matches: (job: Job) => boolean, ending: 'succeeded' | 'failed' = 'succeeded') {
  const bench = createBench();
  bench.store.failSavesOf(matches, refusedTimes);
  const admission = bench.queue.admit({
    guildId: 'g1',
    userId: 'alice',
    request: { prompt: 'a fox in the snow' },
    image: { filename: 'fox.png', contentType: 'image/png', size: 9, url: 'https://cdn.example/fox.png', stored: false },
    reply: { applicationId: 'app', interactionId: 'int', interactionToken: 'secret-token', interactionAt: 0, channelId: 'chan', attachmentSizeLimit: 10 * 1024 * 1024 },
  });
  if (!admission.ok) throw new Error(admission.refusal);
  const jobId = admission.job.id;
  const accepted = bench.queue.accept(admission.job);
  await eventually(bench, () => bench.runner.isWaiting('p1'), 'the prediction wait');
  await accepted;
  bench.runner.end('p1', ending, ending === 'failed' ? { error: 'NSFW content detected' } : {});
  await eventually(bench, () => ['done', 'failed'].includes(bench.store.peek(jobId)?.state ?? ''), 'the end');
  await eventually(bench, () => bench.queue.stats().running === 0, 'the slot to be freed');
  return { bench, jobId };
}

describe('queue service: a store write refused at any transition', () => {
  const transitions: [string, (job: Job) => boolean][] = [
    ['the first write of the accepted job', (job) => job.state === 'queued' && !job.image?.stored],
    ['the write that records the stored image', (job) => job.state === 'queued' && job.image?.stored === true && job.queueRound === undefined],
    ['the write of its place in line', (job) => job.state === 'queued' && job.queueRound !== undefined],
    ['starting', (job) => job.state === 'starting' && job.createStartedAt === undefined],
    ['the create marker', (job) => job.state === 'starting' && job.createStartedAt !== undefined],
    ['running', (job) => job.state === 'running'],
    ['delivering', (job) => job.state === 'delivering' && job.postedAt === undefined],
    ['the video posted', (job) => job.state === 'delivering' && job.postedAt !== undefined && job.pingedAt === undefined],
    ['the member pinged', (job) => job.state === 'delivering' && job.pingedAt !== undefined],
    ['done', (job) => job.state === 'done'],
  ];

  it.each(transitions)('still delivers the video exactly once when the store refuses %s', async (_name, matches) => {
    const { bench, jobId } = await runWithRefusals(matches);
    expect(bench.store.refused).toBe(refusedTimes);
    expect(bench.store.peek(jobId)).toMatchObject({ state: 'done', delivery: 'attachment' });
    expect(bench.runner.creates).toHaveLength(1);
    const kinds = bench.responder.of(jobId).map((s) => s.kind);
    expect(kinds.filter((k) => k === 'deliver')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ping')).toHaveLength(1);
    expect(kinds).not.toContain('finish');
    expect(bench.lines.filter((l) => l.msg === 'job write failed, retrying')).toHaveLength(refusedTimes);
  });

  it('stores and reads back the member’s image when the store refuses those calls at first', async () => {
    const bench = createBench();
    bench.store.refuseImageCalls = 2;
    const accepted = bench.submit('g1', 'alice', { image: true });
    await eventually(bench, () => bench.runner.isWaiting('p1'), 'the prediction wait');
    const job = await accepted;
    expect(bench.runner.creates[0]?.image?.bytes.toString()).toBe('png-bytes');
    expect(bench.store.refused).toBe(2);
    bench.runner.end('p1', 'succeeded');
    await eventually(bench, () => bench.store.peek(job.id)?.state === 'done', 'done');
    expect(bench.lines.filter((l) => l.msg === 'image write failed, retrying')).toHaveLength(2);
  });

  it('reads the image back for the create when the store refuses the read at first', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1 } });
    const first = await bench.submit('g1', 'alice');
    const second = await bench.submit('g1', 'bob', { image: true });
    await eventually(bench, () => bench.runner.isWaiting('p1'), 'the first prediction');
    bench.store.refuseImageCalls = 3;
    bench.runner.end('p1', 'succeeded');
    await eventually(bench, () => bench.runner.isWaiting('p2'), 'the second prediction');
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([first.id, second.id]);
    expect(bench.runner.creates[1]?.image?.bytes.toString()).toBe('png-bytes');
    expect(bench.lines.filter((l) => l.msg === 'image read failed, retrying')).toHaveLength(3);
  });

  it('ends a job the model failed as failed, with the model’s words, when the store refuses the failed state', async () => {
    const { bench, jobId } = await runWithRefusals((job) => job.state === 'failed', 'failed');
    expect(bench.store.peek(jobId)).toMatchObject({ state: 'failed', reason: 'The model could not make this video: NSFW content detected' });
    expect(bench.responder.of(jobId).filter((s) => s.kind === 'finish')).toHaveLength(1);
  });

  it('cancels a waiting job as asked when the store refuses the canceled state', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1 } });
    await bench.submit('g1', 'alice');
    const waiting = await bench.submit('g1', 'bob');
    bench.store.failSavesOf((job) => job.id === waiting.id && job.state === 'canceled', refusedTimes);
    const result = bench.queue.cancel(waiting.id, { userId: 'bob', guildId: 'g1', canManageGuild: false });
    await eventually(bench, () => bench.store.peek(waiting.id)?.state === 'canceled', 'the cancel to be stored');
    expect(await result).toBe('canceled');
    expect(bench.responder.of(waiting.id).at(-1)).toMatchObject({ kind: 'finish', state: 'canceled' });
    expect(bench.runner.creates.map((c) => c.job.id)).not.toContain(waiting.id);
  });

  it('cancels a running job at Replicate when the store refuses the canceled state', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await eventually(bench, () => bench.runner.isWaiting('p1'), 'the prediction wait');
    bench.store.failSavesOf((j) => j.state === 'canceled', refusedTimes);
    const result = bench.queue.cancel(job.id, { userId: 'alice', guildId: 'g1', canManageGuild: false });
    await eventually(bench, () => bench.store.peek(job.id)?.state === 'canceled', 'the cancel to be stored');
    expect(await result).toBe('canceled');
    expect(bench.runner.canceled).toEqual(['p1']);
  });

  it('keeps a moved reply when the store refuses to record it at first', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await eventually(bench, () => bench.runner.isWaiting('p1'), 'the prediction wait');
    bench.store.failSavesOf((j) => j.reply.channelMessageId !== undefined, refusedTimes);
    const moved = bench.queue.updateReply(job.id, { ...job.reply, channelMessageId: '1400000000000000009' });
    await eventually(bench, () => bench.store.peek(job.id)?.reply.channelMessageId !== undefined, 'the moved reply');
    await moved;
    bench.runner.end('p1', 'succeeded');
    await eventually(bench, () => bench.store.peek(job.id)?.state === 'done', 'done');
    expect(bench.store.peek(job.id)?.reply.channelMessageId).toBe('1400000000000000009');
  });

  it('holds a job whose writes are refused until stop, then leaves the store with its last durable state', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await eventually(bench, () => bench.runner.isWaiting('p1'), 'the prediction wait');
    bench.store.failSaves = true;
    bench.runner.end('p1', 'succeeded');
    await bench.clock.advance(120_000);
    expect(bench.store.peek(job.id)?.state).toBe('running');
    expect(bench.responder.of(job.id).map((s) => s.state)).not.toContain('delivering');
    await bench.queue.stop();
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'running', predictionId: 'p1' });
    expect(bench.lines.filter((l) => l.msg === 'job failed unexpectedly')).toEqual([]);
  });
});
