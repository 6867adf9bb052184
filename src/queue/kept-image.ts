import type { QueueContext } from './context.js';
import { keptImageMs } from './job-input.js';
import type { ImageRef, Job } from './job.js';
import { JobFailure } from './ports.js';

/**
 * A job's start image at acceptance: the member's attachment from Discord's CDN (its signed URL expires soon), or,
 * for Regenerate and Remix, a copy of the original job's kept bytes, so each job owns its image and its keeping time.
 */
export function obtainImage(
  ctx: QueueContext,
  job: Job,
  image: ImageRef,
  halt: AbortSignal,
): Promise<{ bytes: Buffer; mimeType: string }> {
  if (image.source) return copyKeptImage(ctx, job, image, image.source.jobId);
  if (!ctx.fetchImage) throw new Error('no image fetcher configured');
  return ctx.fetchImage(image, halt);
}

async function copyKeptImage(
  ctx: QueueContext,
  job: Job,
  image: ImageRef,
  sourceJobId: string,
): Promise<{ bytes: Buffer; mimeType: string }> {
  const bytes = await ctx.untilStored(job, 'image copy', () => ctx.store.loadImage(sourceJobId));
  // Dropped between the press and now (its keeping time ran out, or its member asked for it to be forgotten).
  if (!bytes) throw new JobFailure('The image of the original video is no longer kept. Please use /video with the image again.');
  return { bytes, mimeType: image.mimeType ?? image.contentType ?? 'application/octet-stream' };
}

/**
 * Just before a job is recorded done: its stored image is listed for the store's upkeep to drop after `keptImageMs`,
 * and the patch for the done record says until when it is kept (Regenerate and Remix read it). Listed first, so a
 * crash between the two leaves no image that nothing would ever drop.
 */
export async function keepStartImage(ctx: QueueContext, job: Job): Promise<Partial<Job>> {
  if (!job.image?.stored) return {};
  const keptUntil = job.image.keptUntil ?? ctx.clock.now() + keptImageMs;
  await ctx.untilStored(job, 'image keep', () => ctx.store.keepImage(job.id, keptUntil));
  return { image: { ...job.image, keptUntil } };
}
