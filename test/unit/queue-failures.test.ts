import { afterEach, describe, expect, it } from 'vitest';
import { JobFailure } from '../../src/queue/ports.js';
import { describePredictionEnd } from '../../src/queue/describe.js';
import { assertShownAfterPersisted, createBench, until } from './queue-doubles.js';


afterEach(assertShownAfterPersisted);

describe('queue service: failures', () => {
  it('a create that gives up fails the job with the runner’s words, and the next job runs', async () => {
    const bench = createBench({ limits: { maxConcurrent: 1, guildConcurrency: 1 } });
    bench.runner.createError = new JobFailure('Replicate is busy right now. Please try again in a few minutes.');
    const job = await bench.submit('g1', 'alice');
    const next = await bench.submit('g1', 'bob');
    await until(() => bench.responder.of(job.id).at(-1)?.kind === 'finish');
    expect(bench.store.peek(job.id)?.reason).toBe('Replicate is busy right now. Please try again in a few minutes.');
    expect(bench.responder.of(job.id).at(-1)).toMatchObject({ kind: 'finish', state: 'failed' });
    await until(() => bench.runner.isWaiting('p1'));
    expect(bench.runner.creates.at(-1)?.job.id).toBe(next.id);
  });

  it('a model failure shows the model’s error, shortened and without links', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'failed', { error: 'NSFW content detected in https://replicate.delivery/x/y.png please retry' });
    await until(() => bench.store.peek(job.id)?.state === 'failed');
    expect(bench.store.peek(job.id)?.reason).toBe(
      'The model could not make this video: NSFW content detected in (link) please retry',
    );
    expect(bench.runner.canceled).toEqual([]);
  });

  it('describes every way a prediction can end without a video', () => {
    expect(describePredictionEnd({ id: 'p', status: 'failed' })).toBe('The model could not make this video.');
    expect(describePredictionEnd({ id: 'p', status: 'failed', error: 'x'.repeat(500) })).toMatch(/^The model could not make this video: x+…$/);
    expect(describePredictionEnd({ id: 'p', status: 'aborted', error: 'x' })).toBe('Replicate stopped the video before it finished.');
    expect(describePredictionEnd({ id: 'p', status: 'canceled' })).toBe('The video was canceled at Replicate.');
    expect(describePredictionEnd({ id: 'p', status: 'succeeded' })).toBe('The model finished but returned no video.');
  });

  it('an unexpected error fails the job with a reference id, logs it once with the job’s bindings, and cancels the prediction', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'processing');
    await until(() => bench.store.peek(job.id)?.state === 'failed');
    expect(bench.store.peek(job.id)?.reason).toBe(`Something went wrong on our side (reference ${job.id}).`);
    expect(bench.runner.canceled).toEqual(['p1']);
    const errors = bench.lines.filter((l) => l.msg === 'job failed unexpectedly');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ jobId: job.id, guildId: 'g1', userId: 'alice', predictionId: 'p1' });
    expect(errors[0]?.err).toBeDefined();
    expect(JSON.stringify(bench.lines)).not.toContain('secret-token');
  });

  it('an image that fails its checks fails the job with the fetcher’s words before it joins the line', async () => {
    const bench = createBench({
      fetchImage: async () => {
        throw new JobFailure('That file is not an image.');
      },
    });
    const job = await bench.submit('g1', 'alice', { image: true });
    expect(job.state).toBe('failed');
    expect(bench.store.peek(job.id)).toMatchObject({ state: 'failed', reason: 'That file is not an image.' });
    expect(bench.responder.of(job.id)).toEqual([{ kind: 'finish', jobId: job.id, state: 'failed', reason: 'That file is not an image.' }]);
    expect(bench.runner.creates).toEqual([]);
    expect(bench.queue.stats()).toEqual({ waiting: 0, running: 0, accepting: 0 });
  });

  it('a video that can no longer be had fails the job with the responder’s words, never silently', async () => {
    const bench = createBench();
    bench.responder.deliverError = new JobFailure('The video was removed at Replicate before it could be sent.');
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'succeeded');
    await until(() => bench.responder.of(job.id).at(-1)?.kind === 'finish');
    expect(bench.store.peek(job.id)?.state).toBe('failed');
    expect(bench.responder.of(job.id).at(-1)).toMatchObject({
      kind: 'finish',
      reason: 'The video was removed at Replicate before it could be sent.',
    });
  });

  it('a prediction canceled elsewhere ends the job as canceled', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'));
    bench.runner.end('p1', 'canceled');
    await until(() => bench.store.peek(job.id)?.state === 'canceled');
    expect(bench.store.peek(job.id)?.reason).toBe('The video was canceled at Replicate.');
  });
});
