import { requestedSeconds, type Job, type JobDraft } from './job.js';
import type { Reservations } from './reservations.js';
import type { Scheduler } from './scheduler.js';

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

export type Refusal = 'queue-full' | 'pending-limit' | 'shutting-down';
export type Admission = { ok: true; job: Job } | { ok: false; refusal: Refusal };

export interface AdmissionDeps {
  scheduler: Scheduler;
  reservations: Reservations;
  limits: QueueLimits;
  now: () => number;
  newId: () => string;
  /** Acceptance order across the process (continues after the recovered jobs' highest). */
  nextSeq: () => number;
  stopping: () => boolean;
}

/**
 * Decides, synchronously and from memory only (it runs before the interaction is acknowledged), whether a request
 * may become a job, and reserves its place against the limits: hundreds of admits at once cannot overshoot them,
 * because a reservation counts from here until the job is in line (or released).
 */
export function admitJob(deps: AdmissionDeps, draft: JobDraft): Admission {
  if (deps.stopping()) return { ok: false, refusal: 'shutting-down' };
  const { scheduler, reservations, limits } = deps;
  const { guildId, userId } = draft;
  if (scheduler.waitingCount(guildId) + reservations.guildCount(guildId) >= limits.guildQueueLimit) {
    return { ok: false, refusal: 'queue-full' };
  }
  if (scheduler.pendingCount(guildId, userId) + reservations.memberCount(guildId, userId) >= limits.userPendingLimit) {
    return { ok: false, refusal: 'pending-limit' };
  }
  const now = deps.now();
  const job: Job = {
    id: deps.newId(),
    guildId,
    userId,
    seq: deps.nextSeq(),
    state: 'queued',
    request: draft.request,
    ...(draft.image ? { image: { ...draft.image, stored: false } } : {}),
    seconds: requestedSeconds(draft.request),
    reply: draft.reply,
    createdAt: now,
    updatedAt: now,
  };
  reservations.add(job);
  return { ok: true, job };
}
