import type { ImageRef, Job, JobDraft, PostedMessage } from './job.js';

/**
 * The queue service's neighbours. `queue/` imports no discord.js, replicate or keyv: it orchestrates through these.
 */

/** The only door to persisted jobs (implemented in src/storage). */
/**
 * A store call rejected with `kind: 'fenced'` can never succeed: another process holds this owner's lease now, and
 * this one is stopping. It is not retried.
 */
export function isFencedRefusal(err: unknown): boolean {
  return (err as { kind?: unknown } | undefined)?.kind === 'fenced';
}

export interface JobStore {
  /** Persists the job (creating or replacing it). Resolves once it is durable. */
  saveJob(job: Job): Promise<void>;
  getJob(id: string): Promise<Job | undefined>;
  /** Every job not yet done, failed or canceled, in no particular order. */
  listActiveJobs(): Promise<Job[]>;
  saveImage(jobId: string, bytes: Buffer): Promise<void>;
  loadImage(jobId: string): Promise<Buffer | undefined>;
  deleteImage(jobId: string): Promise<void>;
  /**
   * Keeps the job's stored image until `until` (epoch ms, the bot's clock), then lets the store's upkeep drop it:
   * a delivered video's image, for Regenerate and Remix.
   */
  keepImage(jobId: string, until: number): Promise<void>;
  /** Small named values (learned prediction durations, the registered-commands hash). */
  getMeta<T>(key: string): Promise<T | undefined>;
  /** `ttlMs`: the value expires that long after (taken webhook ids); kept until replaced when absent. */
  setMeta<T>(key: string, value: T, ttlMs?: number): Promise<void>;
}

export type PredictionStatusName = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export interface PredictionSnapshot {
  id: string;
  status: PredictionStatusName;
  /** URL of the mp4 once succeeded. */
  output?: string;
  /** The model's error text, as Replicate gave it. */
  error?: string;
  /** True once Replicate removed the prediction's files (about an hour after it finished). */
  dataRemoved?: boolean;
}

/** A failure a member should read about: `reason` is short plain words, never a raw API body. */
export class JobFailure extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'JobFailure';
  }
}

export interface StartImage {
  bytes: Buffer;
  mimeType: string;
  filename: string;
}

/**
 * Runs predictions at Replicate (implemented in src/replicate).
 *
 * A fault on the way to Replicate or inside it (429, 5xx, network errors, timeouts) never makes these calls give
 * up: they retry with capped, jittered backoff (a long Retry-After is waited out) until Replicate answers or the
 * signal aborts. A refused token or missing credit (401, 402, 403) is the operator's to fix: it is retried slowly,
 * logged as an error each time, and the job carries on once fixed. They throw JobFailure only for what Replicate
 * decided about the request itself (e.g. 422 invalid input, a prediction it no longer has).
 */
export interface PredictionRunner {
  /**
   * Creates the prediction for a job (whose `createStartedAt` marker is durable), uploading the start image
   * first. Never resends a create blindly: once an attempt was ambiguous (5xx, network error, timeout: Replicate may
   * have made it), it looks for the prediction (`findCreated`) before every further attempt and before giving up.
   * Rejects with the signal's reason when aborted; a create may then have been accepted, which the next
   * `findCreated` for the same marker finds.
   */
  create(job: Job, image: StartImage | undefined, signal?: AbortSignal): Promise<PredictionSnapshot>;
  /**
   * After a crash between "marker persisted" and "prediction id persisted": finds the prediction an earlier
   * process created for this job, if Replicate has one. Resolves undefined only on Replicate's word that it has
   * none; while Replicate cannot be asked it keeps asking (until the signal aborts).
   */
  findCreated(job: Job, signal?: AbortSignal): Promise<PredictionSnapshot | undefined>;
  /**
   * Polls until the prediction ends (adaptive schedule), however long Replicate takes to answer: failed polls are
   * retried with capped backoff, never a reason to stop or cancel. Throws JobFailure only when Replicate no longer
   * has the prediction (404, confirmed), i.e. its output can never be had. Rejects with the signal's reason when
   * aborted.
   */
  waitForEnd(
    predictionId: string,
    options: {
      signal?: AbortSignal;
      startedAt?: number;
      onUpdate?: (snapshot: PredictionSnapshot) => void;
      /** The clip's duration (default 5): its generation time is learned under it. */
      seconds?: number;
    },
  ): Promise<PredictionSnapshot>;
  /**
   * Best effort, a few tries (the prediction ends on its own anyway); resolves when Replicate has no such prediction.
   * Throws JobFailure when it gives up.
   */
  cancel(predictionId: string): Promise<void>;
}

/** What the member sees while a job is alive (implemented in src/responder). */
export interface ProgressInfo {
  /** 1-based place in the guild's queue while waiting. */
  position?: number;
  /**
   * While waiting: milliseconds until the video should be ready, as of this update (from the bot's own history;
   * absent until there is some). Fixed between updates, so the message is not edited just to count down.
   */
  etaMs?: number;
  /** While running: when the video should be ready (epoch ms); the view counts down to it beside the elapsed time. */
  readyAt?: number;
}

export type DeliveryKind = NonNullable<Job['delivery']>;
export type { PostedMessage } from './job.js';

export interface DeliverOptions {
  /**
   * The job was already delivering when the bot stopped or crashed: the video may have been posted without the
   * record saying so, and is not posted a second time when the member can already see it.
   */
  resumed?: boolean;
  /**
   * Persists that the video is up (how, when, and in which message when Discord said); resolves once durable.
   * Called before the member is pinged.
   */
  markPosted?: (delivery: DeliveryKind, message?: PostedMessage) => Promise<void>;
  /** Persists that the member was pinged; resolves once durable. */
  markPinged?: () => Promise<void>;
}

/** Downloads and checks the member's image; throws JobFailure with plain words when it will not do. */
export type FetchImage = (image: ImageRef, signal: AbortSignal) => Promise<{ bytes: Buffer; mimeType: string }>;

export interface Responder {
  /** Shows the job's current state. Fire-and-forget: throttled, latest wins, never throws. */
  update(job: Job, info?: ProgressInfo): void;
  /**
   * Shows a terminal state (failed, canceled) and stops tracking the job. Resolves once the member was shown it, or
   * once it was given up (Discord refused for too long); rejects only when the bot stops before either.
   */
  finish(job: Job): Promise<void>;
  /**
   * Downloads the mp4 and posts it (re-encoding or linking when too large), then mentions the member.
   * Throws JobFailure when the video cannot be had (e.g. removed at Replicate).
   */
  deliver(job: Job, outputUrl: string, signal?: AbortSignal, options?: DeliverOptions): Promise<DeliveryKind>;
}

/**
 * What the member was shown for a job whose acknowledgement outcome is unknown (its first write was reported refused
 * and may have landed anyway, then the process stopped): 'acknowledged' (the deferred reply, the job's progress),
 * 'not-acknowledged' (the ephemeral "try again" refusal, or no response at all), or 'unknown' (Discord cannot say:
 * the token expired, or it kept failing). Implemented in src/responder; never throws, resolves 'unknown' when aborted.
 */
export type AcknowledgementAnswer = 'acknowledged' | 'not-acknowledged' | 'unknown';
export type CheckAcknowledgement = (job: Job, signal: AbortSignal) => Promise<AcknowledgementAnswer>;

/** A moderators' refusal: a stable code and the member's (ephemeral) words. */
export interface PolicyRefusal {
  code: string;
  text: string;
}

/** Per-guild limits in force (the operator's caps, lowered by the guild's moderators). */
export interface GuildLimits {
  concurrency: number;
  queue: number;
  pending: number;
}

/**
 * The guilds' moderation rules and seconds ledger, as the queue sees them (implemented in src/moderation). Every
 * call is synchronous and in memory: admission runs before the interaction is acknowledged.
 */
export interface AdmissionPolicy {
  /** The rules for a request (blocked, channel, role, paused, cooldown, words, allowance, budget). */
  check(draft: JobDraft, seconds: number, now: number): PolicyRefusal | undefined;
  limitsOf(guildId: string): GuildLimits;
  /** Seconds reserved from admission... */
  reserve(job: Job): void;
  /** ...given back when the job is never accepted... */
  release(job: Job): void;
  /** ...recorded once the job is accepted (stored and in line)... */
  accepted(job: Job): void;
  /** ...and charged (done) or refunded (failed, canceled) when it ends. */
  ended(job: Job): void;
}

/**
 * The Replicate account's prediction slots, shared with every process on the store (src/storage/slot-pool.ts).
 * Synchronous for the scheduler: the pool takes and renews slots in the background and says when more are free.
 */
export interface PredictionSlots {
  /** Held slots not in use: how many more predictions may start now. */
  free(): number;
  /** A job given its turn takes one of the free slots. */
  use(jobId: string): void;
  /** A recovered job whose prediction may be running: counted as in use at once, its slot taken when it can be. */
  adopt(jobId: string): void;
  /** The job's prediction ended (or never will): its slot goes to the next job, or back to the pool. */
  release(jobId: string): void;
  /** `ready`: how many waiting jobs could start now; `onFree`: called when free() may have grown. */
  attach(ready: () => number, onFree: () => void): void;
  /** The line moved: `ready` may have grown past what the store was told (then it is told now). */
  demandChanged(): void;
}
