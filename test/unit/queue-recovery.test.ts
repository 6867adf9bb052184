import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { JobFailure, type AcknowledgementAnswer } from '../../src/queue/ports.js';
import { flushMicrotasks } from '../harness/test-clock.js';
import { MemoryStore } from '../harness/memory-store.js';
import { assertShownAfterPersisted, createBench, draft, until } from './queue-doubles.js';

let n = 0;
function persisted(patch: Partial<Job>): Job {
  const base = draft('g1', 'alice');
  n++;
  return {
    id: `old-${n}`,
    guildId: base.guildId,
    userId: base.userId,
    seq: n,
    state: 'queued',
    request: base.request,
    seconds: 5,
    reply: base.reply,
    createdAt: 0,
    updatedAt: 0,
    ...patch,
  };
}


afterEach(assertShownAfterPersisted);

describe('queue service: recovery at start', () => {
  it('a running job resumes waiting on the same prediction, never creating a second one', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'running', createStartedAt: 1, predictionId: 'p-old', startedAt: 1 });
    store.put(job);
    const bench = createBench({ store });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p-old'));
    expect(bench.runner.creates).toEqual([]);
    bench.runner.end('p-old', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'done');
  });

  it('a prediction that finished while the bot was down is delivered', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'running', createStartedAt: 1, predictionId: 'p-old', startedAt: 1 });
    store.put(job);
    const bench = createBench({ store });
    bench.runner.end('p-old', 'succeeded');
    await bench.queue.start();
    await until(() => bench.store.peek(job.id)?.state === 'done');
    expect(bench.responder.of(job.id).map((s) => s.kind)).toContain('deliver');
    expect(bench.runner.creates).toEqual([]);
  });

  it('a marker without a prediction id adopts the prediction Replicate already has', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'starting', createStartedAt: 1 });
    store.put(job);
    const bench = createBench({ store });
    bench.runner.found.set(job.id, { id: 'p-found', status: 'processing' });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p-found'));
    expect(bench.runner.creates).toEqual([]);
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'running', predictionId: 'p-found' });
  });

  it('a marker without a prediction at Replicate creates it, once', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'starting', createStartedAt: 1 });
    store.put(job);
    const bench = createBench({ store });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.runner.creates).toHaveLength(1);
  });

  it('a starting job whose create marker the store lost (its last second of writes) adopts its prediction instead of creating', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'starting', updatedAt: 5 });
    store.put(job);
    const bench = createBench({ store });
    bench.runner.found.set(job.id, { id: 'p-found', status: 'processing' });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p-found'));
    expect(bench.runner.creates).toEqual([]);
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'running', predictionId: 'p-found' });
  });

  it('a starting job without a marker is created', async () => {
    const store = new MemoryStore();
    const job = persisted({ state: 'starting' });
    store.put(job);
    const bench = createBench({ store });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'running', predictionId: 'p1' });
  });

  it('a delivering job is delivered again, and fails with plain words when the video is gone', async () => {
    const store = new MemoryStore();
    const ok = persisted({ state: 'delivering', predictionId: 'p-a', outputUrl: 'https://replicate.delivery/a.mp4' });
    store.put(ok);
    const bench = createBench({ store, limits: { guildConcurrency: 2 } });
    await bench.queue.start();
    await until(() => bench.store.peek(ok.id)?.state === 'done');

    const store2 = new MemoryStore();
    const gone = persisted({ state: 'delivering', predictionId: 'p-b', outputUrl: 'https://replicate.delivery/b.mp4' });
    store2.put(gone);
    const bench2 = createBench({ store: store2 });
    bench2.responder.deliverError = new JobFailure('The video is no longer available at Replicate.');
    await bench2.queue.start();
    await until(() => bench2.responder.of(gone.id).at(-1)?.kind === 'finish');
    expect(bench2.store.peek(gone.id)).toMatchObject({ state: 'failed', reason: 'The video is no longer available at Replicate.' });
  });

  it('a queued job whose image was never stored fetches it again, then runs', async () => {
    const store = new MemoryStore();
    const image = { filename: 'a.png', contentType: 'image/png', size: 3, url: 'https://cdn/a.png', stored: false };
    const job = persisted({ state: 'queued', image });
    store.put(job);
    let fetches = 0;
    const bench = createBench({
      store,
      fetchImage: async () => {
        fetches++;
        return { bytes: Buffer.from('png'), mimeType: 'image/png' };
      },
    });
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p1'));
    expect(fetches).toBe(1);
    expect(bench.runner.creates[0]?.image?.bytes.toString()).toBe('png');
  });

  it('recovered running jobs hold their slots, and waiting jobs come back in the same order', async () => {
    const first = createBench({ limits: { maxConcurrent: 1, guildConcurrency: 1 } });
    const a1 = await first.submit('g1', 'a');
    const a2 = await first.submit('g1', 'a');
    const a3 = await first.submit('g1', 'a');
    const b1 = await first.submit('g1', 'b');
    await until(() => first.runner.isWaiting('p1'));
    const c1 = await first.submit('g1', 'c');
    const order = [b1.id, c1.id, a2.id, a3.id];
    expect(order.map((id) => first.responder.lastPosition(id))).toEqual([1, 2, 3, 4]);
    await first.queue.stop();

    const second = createBench({ store: first.store, limits: { maxConcurrent: 1, guildConcurrency: 1 }, idPrefix: 'new-' });
    second.runner.prefix = 'q';
    await second.queue.start();
    await until(() => second.runner.isWaiting('p1'));
    expect(second.runner.creates).toEqual([]);
    expect(second.queue.stats()).toEqual({ waiting: 4, running: 1, accepting: 0 });
    expect(order.map((id) => second.responder.lastPosition(id))).toEqual([1, 2, 3, 4]);
    second.runner.end('p1', 'succeeded');
    await until(() => second.store.peek(a1.id)?.state === 'done');
    await until(() => second.runner.isWaiting('q1'));
    expect(second.runner.creates.map((c) => c.job.id)).toEqual([b1.id]);
    // A new job gets a seq after every recovered one.
    const late = await second.submit('g1', 'd');
    expect(late.seq).toBeGreaterThan(c1.seq);
  });
});

describe('queue service: stop', () => {
  it('stop() leaves persisted states untouched and a new service on the same store finishes the jobs', async () => {
    const first = createBench({ limits: { maxConcurrent: 3, guildConcurrency: 3, userPendingLimit: 5 } });
    first.responder.holdDeliveries = true;
    const running = await first.submit('g1', 'a');
    const delivering = await first.submit('g1', 'b');
    await until(() => first.runner.isWaiting('p2'));
    first.runner.end('p2', 'succeeded');
    await until(() => first.store.peek(delivering.id)?.state === 'delivering');
    const starting = await (async () => {
      first.runner.holdCreates = true;
      return first.submit('g1', 'c');
    })();
    await until(() => first.runner.creates.length === 3);
    await first.queue.stop();
    expect(first.queue.admit(draft('g1', 'z'))).toEqual({ ok: false, refusal: 'shutting-down' });
    expect(first.store.peek(running.id)?.state).toBe('running');
    expect(first.store.peek(delivering.id)?.state).toBe('delivering');
    expect(first.store.peek(starting.id)).toMatchObject({ state: 'starting' });
    expect(first.store.peek(starting.id)?.createStartedAt).toBeTypeOf('number');
    expect(first.responder.shown.filter((s) => s.kind === 'finish')).toEqual([]);

    const second = createBench({ store: first.store, limits: { maxConcurrent: 3, guildConcurrency: 3 }, idPrefix: 'new-' });
    second.runner.found.set(starting.id, { id: 'p3', status: 'processing' });
    await second.queue.start();
    await until(() => second.store.peek(delivering.id)?.state === 'done');
    await until(() => second.runner.isWaiting('p1') && second.runner.isWaiting('p3'));
    second.runner.end('p1', 'succeeded');
    second.runner.end('p3', 'succeeded');
    await until(() => second.store.peek(running.id)?.state === 'done' && second.store.peek(starting.id)?.state === 'done');
    expect(second.runner.creates).toEqual([]);
  });
});

describe('queue service: stop during an image download', () => {
  it('does not wait for a download that ignores its signal; the job stays queued and is fetched again after restart', async () => {
    const first = createBench({ fetchImage: () => new Promise(() => {}) });
    const admission = first.queue.admit(draft('g1', 'alice', { image: true }));
    if (!admission.ok) throw new Error('refused');
    void first.queue.accept(admission.job);
    await until(() => first.store.peek(admission.job.id)?.state === 'queued');
    await first.queue.stop();
    expect(first.store.peek(admission.job.id)).toMatchObject({ state: 'queued', image: { stored: false } });

    const second = createBench({ store: first.store, idPrefix: 'new-' });
    await second.queue.start();
    await until(() => second.runner.isWaiting('p1'));
    expect(second.runner.creates[0]?.job.id).toBe(admission.job.id);
  });
});

/**
 * A first write reported refused may have landed: the member was told "try again", and the store holds a queued job
 * that never joined the line (no `queueRound`). Recovery asks Discord what the member was shown before running it.
 */
describe('queue service: recovery of a job whose acknowledgement outcome is unknown', () => {
  function recoverWith(answer: AcknowledgementAnswer | Promise<AcknowledgementAnswer>, patch: Partial<Job> = {}) {
    const store = new MemoryStore();
    const job = persisted({ state: 'queued', ...patch });
    store.put(job);
    const asked: string[] = [];
    const bench = createBench({
      store,
      checkAcknowledgement: async (asking) => {
        asked.push(asking.id);
        return answer;
      },
    });
    return { bench, job, asked };
  }

  it('a job the member was refused for ends quietly: canceled, never shown, never created', async () => {
    const { bench, job, asked } = recoverWith('not-acknowledged');
    await bench.queue.start();
    await until(() => bench.store.peek(job.id)?.state === 'canceled', 'the job dropped');
    expect(asked).toEqual([job.id]);
    expect(bench.runner.creates).toEqual([]);
    expect(bench.responder.of(job.id)).toEqual([]);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });

  it('a job whose image was never stored, refused to the member, is not fetched again', async () => {
    let fetched = 0;
    const store = new MemoryStore();
    const job = persisted({ state: 'queued', image: { filename: 'cat.png', contentType: 'image/png', size: 9, url: 'https://cdn.example/cat.png', stored: false } });
    store.put(job);
    const bench = createBench({
      store,
      checkAcknowledgement: async () => 'not-acknowledged',
      fetchImage: async () => {
        fetched++;
        return { bytes: Buffer.from('png-bytes'), mimeType: 'image/png' };
      },
    });
    await bench.queue.start();
    await until(() => bench.store.peek(job.id)?.state === 'canceled', 'the job dropped');
    expect(fetched).toBe(0);
    expect(bench.runner.creates).toEqual([]);
  });

  it.each(['acknowledged', 'unknown'] as const)('a job answered %s joins the line and runs', async (answer) => {
    const { bench, job } = recoverWith(answer);
    await bench.queue.start();
    await until(() => bench.runner.isWaiting('p1'), 'the prediction');
    expect(bench.runner.creates.map((c) => c.job.id)).toEqual([job.id]);
    expect(bench.store.peek(job.id)?.queueRound).toBeDefined();
  });

  it('waits for the answer before the job may start', async () => {
    let answer!: (value: AcknowledgementAnswer) => void;
    const { bench, job } = recoverWith(new Promise<AcknowledgementAnswer>((resolve) => (answer = resolve)));
    await bench.queue.start();
    await flushMicrotasks();
    expect(bench.runner.creates).toEqual([]);
    expect(bench.queue.stats().waiting).toBe(0);
    answer('acknowledged');
    await until(() => bench.runner.creates.length === 1, 'the create');
    expect(bench.runner.creates[0]?.job.id).toBe(job.id);
  });

  it('a job that joined the line before the stop is not asked about', async () => {
    const { bench, job, asked } = recoverWith('not-acknowledged', { queueRound: 1 });
    await bench.queue.start();
    await until(() => bench.runner.creates.length === 1, 'the create');
    expect(asked).toEqual([]);
    expect(bench.runner.creates[0]?.job.id).toBe(job.id);
  });
});
