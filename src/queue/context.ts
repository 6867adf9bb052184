import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { moveJob, type Job, type JobState } from './job.js';
import type { JobStore, PredictionRunner, Responder } from './ports.js';

/** What the queue's parts share. Every state change goes through `commit` before anyone is shown it. */
export interface QueueContext {
  store: JobStore;
  runner: PredictionRunner;
  responder: Responder;
  clock: Clock;
  /** Aborted by stop(): work halts where it is and the persisted state stays as it was. */
  stopSignal: AbortSignal;
  /** The latest decided version of a live job. */
  current(jobId: string): Job | undefined;
  /** Records the job in memory and persists it (serialized per job). Resolves once durable. */
  commit(job: Job): Promise<Job>;
  logFor(job: Job): Logger;
}

/** A cancel request reaching a job that is accepting or running. */
export interface JobControl {
  cancel: AbortController;
  /** Set when someone asked to cancel: the moderator's id when it was not the requester. */
  cancelRequest?: { byModerator: boolean; userId: string };
  /** Started from persisted state at boot (may find a prediction created before a crash). */
  recovered: boolean;
  task?: Promise<Job>;
}

export function newControl(recovered = false): JobControl {
  return { cancel: new AbortController(), recovered };
}

/** Moves, persists, then shows: the one way a job changes state while the member watches. */
export async function advance(ctx: QueueContext, job: Job, to: JobState, patch: Partial<Job> = {}): Promise<Job> {
  const next = await ctx.commit(moveJob(job, to, ctx.clock.now(), patch));
  ctx.responder.update(next);
  return next;
}

/** Moves to failed or canceled, persists, then shows the end (responder.finish never throws by contract). */
export async function conclude(
  ctx: QueueContext,
  job: Job,
  to: 'failed' | 'canceled',
  patch: Partial<Job>,
): Promise<Job> {
  const next = await ctx.commit(moveJob(job, to, ctx.clock.now(), patch));
  await ctx.responder.finish(next);
  return next;
}
