import type { JobControl } from './context.js';
import { isTerminal, type Job } from './job.js';
import type { JobStore } from './ports.js';
import type { Reservations } from './reservations.js';
import type { Scheduler } from './scheduler.js';

export interface CancelBy {
  userId: string;
  /** The guild the request comes from: a job of another guild is not found (a custom_id can name any job). */
  guildId: string;
  /** Holds Manage Server in `guildId`: may cancel anyone's job there. */
  canManageGuild: boolean;
}
export type CancelResult = 'canceled' | 'not-allowed' | 'not-found' | 'already-finished';
/** Synchronous cancel verdict for the button (codes as in src/refusals.ts). */
export type CancelVerdict = 'ok' | 'not-allowed-to-cancel' | 'job-not-found' | 'already-finished';

export interface CancelDeps {
  jobs: ReadonlyMap<string, Job>;
  controls: ReadonlyMap<string, JobControl>;
  reservations: Reservations;
  finished: ReadonlyMap<string, Job['state']>;
  store: JobStore;
  scheduler: Scheduler;
  /** A waiting job left the line: the others move up at once. */
  leftLine(job: Job): void;
}

/**
 * Cancel asks; the job's pipeline does it (it is the job's only writer): a waiting job leaves the line and ends
 * canceled without reaching Replicate, a running one is canceled at Replicate first, a delivering one is no longer
 * cancelable (the video is paid for and on its way).
 */
export function createCancel(deps: CancelDeps) {
  const { jobs, controls, reservations, finished, scheduler } = deps;

  function check(jobId: string, by: CancelBy): CancelVerdict {
    const job = jobs.get(jobId) ?? reservations.get(jobId);
    if (job && job.guildId !== by.guildId) return 'job-not-found';
    if (!job) return finished.has(jobId) ? 'already-finished' : 'job-not-found';
    if (by.userId !== job.userId && !by.canManageGuild) return 'not-allowed-to-cancel';
    if (isTerminal(job.state) || job.state === 'delivering') return 'already-finished';
    return 'ok';
  }

  async function cancel(jobId: string, by: CancelBy): Promise<CancelResult> {
    const job = jobs.get(jobId) ?? reservations.get(jobId) ?? (await deps.store.getJob(jobId));
    if (!job || job.guildId !== by.guildId) return 'not-found';
    const byModerator = by.userId !== job.userId;
    if (byModerator && !by.canManageGuild) return 'not-allowed';
    if (isTerminal(job.state) || job.state === 'delivering') return 'already-finished';
    const control = controls.get(jobId);
    if (!control?.task) return 'not-found';
    control.cancelRequest ??= { byModerator, userId: by.userId };
    if (scheduler.remove(jobId)) deps.leftLine(job);
    control.cancel.abort(new Error('canceled'));
    const final = await control.task;
    return final.state === 'canceled' ? 'canceled' : 'already-finished';
  }

  return { check, cancel };
}
