import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { moveJob, type Job, type JobState } from './job.js';
import type { AdmissionPolicy, FetchImage, JobStore, PredictionRunner, Responder } from './ports.js';

/** What the queue's parts share. Every state change goes through `commit` before anyone is shown it. */
export interface QueueContext {
  store: JobStore;
  runner: PredictionRunner;
  responder: Responder;
  clock: Clock;
  fetchImage?: FetchImage | undefined;
  policy?: AdmissionPolicy | undefined;
  /** Aborted by stop(): work halts where it is and the persisted state stays as it was. */
  stopSignal: AbortSignal;
  /** The latest decided version of a live job. */
  current(jobId: string): Job | undefined;
  /**
   * Records the job as decided and persists it (serialized per job, retried until durable). Resolves once
   * durable; rejects only when the queue stops.
   */
  commit(job: Job, onRefused?: () => void): Promise<Job>;
  /**
   * Shows a failed or canceled job's end (stored with `endShown: false`), and once the member saw it, records so. Does
   * not wait: a Discord outage is retried in the background, and a restart shows it again until it is recorded.
   */
  showEnd(job: Job): void;
  /** Another store call of the job's (its image), retried like commit until the store answers. */
  untilStored<T>(job: Job, what: string, call: () => Promise<T>): Promise<T>;
  logFor(job: Job): Logger;
}

/** The guild's line, as the pipeline of one job sees it (the scheduler behind it is the queue service's). */
export interface Line {
  /** Joins the guild's line and returns the job's fair-queue round (persist it: it restores the order). */
  join(job: Job): number;
  /** 1-based place among the guild's waiting jobs. */
  position(jobId: string): number | undefined;
  /** After a change of the line is durable: starts what may start, then shows the waiting their places. */
  moved(guildId: string): void;
}

export interface CancelRequest {
  byModerator: boolean;
  userId: string;
}

/**
 * One per live job, for its whole life in this process: the job's pipeline is its only writer, and this is how
 * others (cancel, the scheduler's pump, stop) reach it.
 */
export interface JobControl {
  cancel: AbortController;
  /** Set when someone asked to cancel: the moderator's id when it was not the requester. */
  cancelRequest?: CancelRequest;
  /** Started from persisted state at boot (may find a prediction created before a crash). */
  recovered: boolean;
  /** Where a queued job stands: being accepted (persist, image), waiting in line, or given its turn. */
  stage: 'accepting' | 'waiting' | 'started';
  /** Resolved by the pump when the scheduler gives the job its turn. */
  turn: Signal;
  /**
   * Resolved by the pipeline at the first outcome of the job's first write: durable, or refused by the store (it goes
   * on retrying). The command waits a moment for it before it answers the member.
   */
  stored: Signal<'stored' | 'refused'>;
  /** Whether the member's interaction was acknowledged: a job nobody was shown ends quietly. */
  acknowledged: Promise<boolean>;
  /** Resolved by the pipeline once the job is durably in line (what accept() waits for). */
  inLine: Signal;
  task?: Promise<Job>;
}

/** A promise someone else resolves (the first value fired wins). */
export interface Signal<T = void> {
  promise: Promise<T>;
  fire(value: T): void;
}

function signal<T = void>(): Signal<T> {
  let fire!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (fire = resolve));
  return { promise, fire };
}

export function newControl(stage: JobControl['stage'], recovered = false, acknowledged: Promise<boolean> = Promise.resolve(true)): JobControl {
  return { cancel: new AbortController(), recovered, stage, turn: signal(), stored: signal<'stored' | 'refused'>(), acknowledged, inLine: signal() };
}

/** Moves, persists, then shows: the one way a job changes state while the member watches. */
export async function advance(ctx: QueueContext, job: Job, to: JobState, patch: Partial<Job> = {}): Promise<Job> {
  const next = await ctx.commit(moveJob(job, to, ctx.clock.now(), patch));
  ctx.responder.update(next);
  return next;
}

/** Moves to failed or canceled, persists (the end not shown yet), then shows the end. */
export async function conclude(
  ctx: QueueContext,
  job: Job,
  to: 'failed' | 'canceled',
  patch: Partial<Job>,
): Promise<Job> {
  const next = await ctx.commit(moveJob(job, to, ctx.clock.now(), { ...patch, endShown: false }));
  ctx.showEnd(next);
  return next;
}
