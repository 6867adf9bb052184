import { inputOwnersOf, isTerminal, type CopyOf, type ImageRef, type Job, type VideoRequest } from './job.js';

/**
 * A job's input as another job reuses it (Regenerate, Remix), and the rules for how long it can be reused: the
 * prompt and options live in the job record (kept 90 days after it ends), the start image of a delivered video
 * only `keptImageMs` (its bytes are the heavy, personal part).
 */
export const keptImageMs = 7 * 24 * 60 * 60 * 1000;
export const keptImageDays = keptImageMs / (24 * 60 * 60 * 1000);

/** What a new job made from another's input starts from; the image is a reference to the other job's bytes. */
export interface JobInput {
  request: VideoRequest;
  image?: ImageRef;
  /** Whose input this is (the new job records it, so that `forget` of its members reaches the copy). */
  copyOf?: CopyOf;
  /** The seconds the original made: the same request on the same model. */
  seconds?: number;
}

export type InputRefusal = 'input-forgotten' | 'input-expired';

export type ReusableInput = { ok: true; input: JobInput } | { ok: false; refusal: InputRefusal };

/**
 * Forgotten: the member's prompts and image were deleted at their request (`redactJob` in job.ts). Read from the
 * marker, and from an empty prompt too, so a record forgotten by hand (or by an older writer) is never reused.
 */
export function isForgotten(job: Pick<Job, 'forgottenAt' | 'request'>): boolean {
  return job.forgottenAt !== undefined || !job.request.prompt;
}

/** Whether the job's start image bytes are still there to copy at `now`. */
function imageKept(job: Job & { image: ImageRef }, now: number): boolean {
  // A live job holds its image until it ends (a button on it is not ours, but the bytes are there once stored).
  if (!isTerminal(job.state)) return job.image.stored;
  return job.image.keptUntil !== undefined && now < job.image.keptUntil;
}

/**
 * The input of `job` for a new job at `now`, or why there is none: forgotten, or expired (the record is gone, or its
 * image is past its keeping time). The copy points at `job`'s own stored bytes, whatever they were copied from.
 */
export function reusableInput(job: Job | undefined, now: number): ReusableInput {
  if (!job) return { ok: false, refusal: 'input-expired' };
  if (isForgotten(job)) return { ok: false, refusal: 'input-forgotten' };
  const request: VideoRequest = { ...job.request };
  const copyOf: CopyOf = { jobId: job.id, userIds: [...new Set(inputOwnersOf(job))] };
  if (!job.image) return { ok: true, input: { request, copyOf, seconds: job.seconds } };
  if (!imageKept(job as Job & { image: ImageRef }, now)) return { ok: false, refusal: 'input-expired' };
  const { filename, contentType, size, url, mimeType } = job.image;
  const image: ImageRef = {
    filename,
    contentType,
    size,
    url,
    stored: false,
    ...(mimeType ? { mimeType } : {}),
    source: { jobId: job.id },
  };
  return { ok: true, input: { request, image, copyOf, seconds: job.seconds } };
}
