import { requestedSeconds, type Job, type JobDraft } from './job.js';
import type { AdmissionPolicy, PolicyRefusal } from './ports.js';
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
/** A refusal of the queue's own (a code), or the moderators' (a code and the member's words). */
export type Admission = { ok: true; job: Job } | { ok: false; refusal: Refusal } | { ok: false; refusal: 'policy'; policy: PolicyRefusal };

export interface AdmissionDeps {
  scheduler: Scheduler;
  reservations: Reservations;
  limits: QueueLimits;
  now: () => number;
  newId: () => string;
  /** Acceptance order across the process (continues after the recovered jobs' highest). */
  nextSeq: () => number;
  stopping: () => boolean;
  policy?: AdmissionPolicy | undefined;
}

/**
 * Decides, synchronously and from memory only (it runs before the interaction is acknowledged), whether a request
 * may become a job, and reserves its place against the limits: hundreds of admits at once cannot overshoot them,
 * because a reservation counts from here until the job is in line (or released).
 */
export function admitJob(deps: AdmissionDeps, draft: JobDraft): Admission {
  if (deps.stopping()) return { ok: false, refusal: 'shutting-down' };
  const { scheduler, reservations, limits, policy } = deps;
  const { guildId, userId } = draft;
  const now = deps.now();
  const seconds = draft.seconds ?? requestedSeconds(draft.request);
  const refused = policy?.check(draft, seconds, now);
  if (refused) return { ok: false, refusal: 'policy', policy: refused };
  const guild = policy?.limitsOf(guildId);
  if (scheduler.waitingCount(guildId) + reservations.guildCount(guildId) >= Math.min(limits.guildQueueLimit, guild?.queue ?? Infinity)) {
    return { ok: false, refusal: 'queue-full' };
  }
  const pendingLimit = Math.min(limits.userPendingLimit, guild?.pending ?? Infinity);
  if (scheduler.pendingCount(guildId, userId) + reservations.memberCount(guildId, userId) >= pendingLimit) {
    return { ok: false, refusal: 'pending-limit' };
  }
  const job: Job = {
    id: deps.newId(),
    guildId,
    userId,
    ...(draft.userName ? { userName: draft.userName } : {}),
    seq: deps.nextSeq(),
    state: 'queued',
    request: draft.request,
    ...(draft.copyOf ? { copyOf: draft.copyOf } : {}),
    ...(draft.image ? { image: { ...draft.image, stored: false } } : {}),
    seconds,
    reply: draft.reply,
    createdAt: now,
    updatedAt: now,
  };
  reservations.add(job);
  policy?.reserve(job);
  return { ok: true, job };
}
