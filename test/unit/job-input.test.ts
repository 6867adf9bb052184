import { describe, expect, it } from 'vitest';
import { isForgotten, keptImageMs, reusableInput } from '../../src/queue/job-input.js';
import { redactJob, type Job } from '../../src/queue/job.js';
import { job as baseJob } from './storage-backends.js';

const t0 = Date.UTC(2026, 0, 1);
const image = { filename: 'cat.png', contentType: 'image/png', size: 9, url: 'https://cdn/cat.png', stored: true, mimeType: 'image/png' };
const done = (patch: Partial<Job> = {}): Job => ({
  ...baseJob('orig', 'done'),
  request: { prompt: 'a cat', negativePrompt: 'blur', duration: 10 },
  ...patch,
});

describe("reusing a job's input for Regenerate and Remix", () => {
  it('gives the request, and the image as a reference to the job’s kept bytes', () => {
    const reused = reusableInput(done({ image: { ...image, keptUntil: t0 + 1000 } }), t0);
    expect(reused).toEqual({
      ok: true,
      input: {
        request: { prompt: 'a cat', negativePrompt: 'blur', duration: 10 },
        image: { filename: 'cat.png', contentType: 'image/png', size: 9, url: 'https://cdn/cat.png', stored: false, mimeType: 'image/png', source: { jobId: 'orig' } },
        copyOf: { jobId: 'orig', userIds: [done().userId] },
        seconds: done().seconds,
      },
    });
  });

  it('names every member whose input a copy of a copy carries, so that forgetting any of them reaches it', () => {
    const copied = done({ id: 'second', userId: 'ben', copyOf: { jobId: 'first', userIds: ['amy'] } });
    const reused = reusableInput(copied, t0);
    expect(reused.ok && reused.input.copyOf).toEqual({ jobId: 'second', userIds: ['ben', 'amy'] });
  });

  it('points a copy of a copy at the job it was pressed on', () => {
    const copied = done({ id: 'second', image: { ...image, source: { jobId: 'first' }, keptUntil: t0 + 1 } });
    const reused = reusableInput(copied, t0);
    expect(reused.ok && reused.input.image?.source).toEqual({ jobId: 'second' });
  });

  it('reuses a text-only job as long as its record is kept', () => {
    expect(reusableInput(done(), t0 + 80 * 24 * 3600_000)).toMatchObject({ ok: true, input: { request: { prompt: 'a cat' } } });
  });

  it('is expired once the image is past its keeping time, or when the record or the keeping time is gone', () => {
    const kept = done({ image: { ...image, keptUntil: t0 + keptImageMs } });
    expect(reusableInput(kept, t0 + keptImageMs - 1).ok).toBe(true);
    expect(reusableInput(kept, t0 + keptImageMs)).toEqual({ ok: false, refusal: 'input-expired' });
    expect(reusableInput(undefined, t0)).toEqual({ ok: false, refusal: 'input-expired' });
    // Delivered before images were kept, or failed: the image was dropped when the job ended.
    expect(reusableInput(done({ image }), t0)).toEqual({ ok: false, refusal: 'input-expired' });
  });

  it('is forgotten once its member asked for it, before any other reason', () => {
    const forgotten = redactJob(done({ image: { ...image, keptUntil: t0 + 10 } }), t0);
    expect(isForgotten(forgotten)).toBe(true);
    expect(forgotten.request).toEqual({ prompt: '', duration: 10 });
    expect(forgotten.image).toBeUndefined();
    expect(reusableInput(forgotten, t0)).toEqual({ ok: false, refusal: 'input-forgotten' });
    expect(reusableInput(done({ request: { prompt: '' } }), t0)).toEqual({ ok: false, refusal: 'input-forgotten' });
  });
});
