import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ImageRef, Job, JobDraft } from './job.js';
import type { JobStore, PredictionRunner, Responder } from './ports.js';

export interface QueueLimits {
  /** Predictions running at once in the whole process. */
  maxConcurrent: number;
  /** Predictions running at once per guild. */
  guildConcurrency: number;
  /** Jobs waiting per guild (running ones do not count). */
  guildQueueLimit: number;
  /** Jobs waiting or running per member per guild. */
  userPendingLimit: number;
}

/** Downloads and checks the member's image; throws JobFailure with plain words when it will not do. */
export type FetchImage = (image: ImageRef, signal: AbortSignal) => Promise<{ bytes: Buffer; mimeType: string }>;

export interface QueueDeps {
  store: JobStore;
  runner: PredictionRunner;
  responder: Responder;
  clock: Clock;
  log: Logger;
  limits: QueueLimits;
  fetchImage?: FetchImage;
  newId?: () => string;
}

export type Refusal = 'queue-full' | 'pending-limit' | 'shutting-down';
export type Admission = { ok: true; job: Job } | { ok: false; refusal: Refusal };
export type CancelResult = 'canceled' | 'not-allowed' | 'not-found' | 'already-finished';
/** Synchronous cancel verdict for the button (codes as in src/refusals.ts). */
export type CancelVerdict = 'ok' | 'not-allowed-to-cancel' | 'job-not-found' | 'already-finished';
export interface CancelBy {
  userId: string;
  /** Holds Manage Server in the job's guild: may cancel anyone's job there. */
  canManageGuild: boolean;
}

export interface QueueStats {
  waiting: number;
  running: number;
  /** Admitted, not yet in line (acknowledging, downloading the image). */
  accepting: number;
}

export interface QueueService {
  /** Synchronous, no I/O: runs before the interaction is acknowledged. Reserves the job against the limits. */
  admit(draft: JobDraft): Admission;
  /** After the acknowledgement: persists, stores the image, queues and shows the position. Never rejects. */
  accept(job: Job): Promise<void>;
  /** Drops an admitted job that will never be accepted (its acknowledgement failed). */
  release(job: Job | string): void;
  /** No I/O: answers from memory (live jobs and the most recently finished ones), before the button is acknowledged. */
  checkCancel(jobId: string, by: CancelBy): CancelVerdict;
  cancel(jobId: string, by: CancelBy): Promise<CancelResult>;
  /** Recovers the jobs a previous process left active. Call once, before admitting. */
  start(): Promise<void>;
  /** Stops admitting, halts in-flight work without changing persisted states, awaits pending writes. */
  stop(): Promise<void>;
  /**
   * Records where the member now sees the job (the responder moved progress to a channel message). The reply
   * target is owned by the responder: every later state change keeps the latest one.
   */
  updateReply(jobId: string, reply: Job['reply']): Promise<void>;
  getJob(jobId: string): Promise<Job | undefined>;
  stats(): QueueStats;
}
