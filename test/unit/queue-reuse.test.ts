import { afterEach, describe, expect, it } from 'vitest';
import { keptImageMs } from '../../src/queue/job-input.js';
import { assertShownAfterPersisted, createBench, draft, until, type Bench } from './queue-doubles.js';

afterEach(assertShownAfterPersisted);

/** A delivered job with an image, as Regenerate finds it. */
async function deliveredWithImage(bench: Bench) {
  const original = await bench.submit('g1', 'alice', { image: true });
  await until(() => bench.runner.isWaiting('p1'));
  bench.runner.end('p1', 'succeeded');
  await until(() => bench.store.peek(original.id)?.state === 'done');
  return original;
}

describe("queue service: a new job from another's input", () => {
  it("copies the original's kept image bytes for the new job, which keeps its own copy", async () => {
    const bench = createBench();
    const original = await deliveredWithImage(bench);
    const reused = await bench.queue.inputOf(original.id, 'g1');
    if (!reused.ok) throw new Error(`refused: ${reused.refusal}`);

    const admission = bench.queue.admit({ ...draft('g1', 'bob'), request: reused.input.request, image: reused.input.image });
    if (!admission.ok) throw new Error('refused');
    await bench.queue.accept(admission.job);
    await until(() => bench.runner.isWaiting('p2'));

    expect(bench.runner.creates[1]?.image).toMatchObject({ mimeType: 'image/png', filename: 'cat.png' });
    expect(bench.runner.creates[1]?.image?.bytes.toString()).toBe('png-bytes');
    expect(bench.runner.creates[1]?.job).toMatchObject({ userId: 'bob', request: { prompt: 'a cat on a skateboard' } });
    expect(bench.store.peek(admission.job.id)?.image).toMatchObject({ stored: true, source: { jobId: original.id } });
    expect(bench.store.hasImage(admission.job.id)).toBe(true);
  });

  it('answers expired once the keeping time is over, and the new job fails plainly if the bytes went meanwhile', async () => {
    const bench = createBench();
    const original = await deliveredWithImage(bench);
    const reused = await bench.queue.inputOf(original.id, 'g1');
    if (!reused.ok) throw new Error('refused');

    await bench.store.dropExpiredImages(bench.clock.now() + keptImageMs);
    const admission = bench.queue.admit({ ...draft('g1', 'bob'), request: reused.input.request, image: reused.input.image });
    if (!admission.ok) throw new Error('refused');
    await bench.queue.accept(admission.job);
    await until(() => bench.store.peek(admission.job.id)?.state === 'failed');
    expect(bench.store.peek(admission.job.id)?.reason).toBe(
      'The image of the original video is no longer kept. Please use /video with the image again.',
    );
    expect(bench.runner.creates).toHaveLength(1);

    await bench.clock.advance(keptImageMs);
    expect(await bench.queue.inputOf(original.id, 'g1')).toEqual({ ok: false, refusal: 'input-expired' });
  });

  it('answers not found for a job of another guild, whatever its state, before reading its input', async () => {
    const bench = createBench();
    const original = await deliveredWithImage(bench);
    expect(await bench.queue.inputOf(original.id, 'g2')).toEqual({ ok: false, refusal: 'job-not-found' });
  });

  it('answers expired for a job the store does not have', async () => {
    const bench = createBench();
    expect(await bench.queue.inputOf('no-such-job', 'g1')).toEqual({ ok: false, refusal: 'input-expired' });
  });
});
