import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { admitJob, type Admission, type QueueLimits } from './admission.js';
import { createCancel, type CancelBy, type CancelResult, type CancelVerdict } from './cancel.js';
import { newControl, type JobControl, type Line, type QueueContext } from './context.js';
import { inputOwnersOf, isTerminal, redactJob, type Job, type JobDraft } from './job.js';
import { reusableInput, type ReusableInput } from './job-input.js';
import { createJobWriter } from './job-writer.js';
import type {
  AdmissionPolicy,
  CheckAcknowledgement,
  FetchImage,
  JobStore,
  PredictionRunner,
  PredictionSlots,
  Responder,
} from './ports.js';
import type { GenerationHistory } from './eta.js';
import { createLineView, type GuildSnapshot, type MemberJob } from './line-view.js';
import { planRecovery } from './recovery.js';
import { Reservations } from './reservations.js';
import { runPipeline } from './pipeline.js';
import { Scheduler, type QueueEntry } from './scheduler.js';

export type { Admission, QueueLimits, Refusal } from './admission.js';
export type { CancelBy, CancelResult, CancelVerdict } from './cancel.js';
export type { FetchImage } from './ports.js';
export type { GuildSnapshot, MemberJob } from './line-view.js';
export type { JobInput, ReusableInput } from './job-input.js';

export interface QueueDeps {
  store: JobStore;
  runner: PredictionRunner;
  responder: Responder;
  clock: Clock;
  log: Logger;
  limits: QueueLimits;
  fetchImage?: FetchImage;
  newId?: () => string;
  /** The guilds' moderation rules and seconds ledger (none: only the operator's limits apply). */
  policy?: AdmissionPolicy;
  /** The bot's own generation times (median per clip duration): the ETAs read them. None: no ETA is shown. */
  history?: Pick<GenerationHistory, 'median'>;
  /** Waits between retries of a refused store write (see job-writer.ts). */
  writeRetry?: { baseDelayMs?: number; maxDelayMs?: number };
  /** When a moderator made the bot forget a member's input (`/video-admin forget`); their older jobs are redacted. */
  forgottenSince?: (guildId: string, userId: string) => number | undefined;
  /** The account-wide prediction slots shared with other processes (none: `limits.maxConcurrent` in this process only). */
  slots?: PredictionSlots;
  /**
   * Asks Discord what the member was shown for a recovered job that never joined the line (see recovery.ts). None:
   * such a job runs, as one the member may have been promised.
   */
  checkAcknowledgement?: CheckAcknowledgement;
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
  /**
   * Starts the job's pipeline: its first write at once, then, once `acknowledged` says the member was answered, the
   * rest (a job whose acknowledgement failed ends quietly). Resolves once it is in line (or ended). Never rejects.
   */
  accept(job: Job, acknowledged?: Promise<boolean>): Promise<void>;
  /**
   * The first outcome of an accepted job's first write: 'stored' once durable, 'refused' when the store refused it
   * (it is retried). 'stored' at once for a job not being accepted.
   */
  whenStored(jobId: string): Promise<'stored' | 'refused'>;
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
  /**
   * The input of a job for a new one (Regenerate, Remix): its request and a reference to its kept image, or why it
   * cannot be reused (forgotten at its member's request, or expired). One store read unless the job is live.
   * A job of another guild than `guildId` is not found: a button's custom_id can name any job.
   */
  inputOf(jobId: string, guildId: string): Promise<ReusableInput | { ok: false; refusal: 'job-not-found' }>;
  stats(): QueueStats;
  /** Synchronous, in memory: every live job as this process holds it (the metrics' gauges read it at each scrape). */
  liveJobs(): Iterable<Job>;
  /** Synchronous, in memory: how many wait and run in one guild. */
  guildSnapshot(guildId: string): GuildSnapshot;
  /** Synchronous, in memory: a member's waiting and running jobs in one guild, with places and ETAs. */
  memberJobs(guildId: string, userId: string): MemberJob[];
  /**
   * Cancels every job of a member in a guild that has not reached Replicate (a moderator blocked them): being
   * accepted (its image downloading), waiting, or given its turn before its create began. Running ones finish.
   * Resolves with how many were canceled.
   */
  cancelNotStartedOf(guildId: string, userId: string, by: CancelBy): Promise<number>;
  /**
   * Removes the input (prompt, image) of these ended jobs of a forgotten member (or copies of their input) from the
   * store; live ones are redacted by their last write. Resolves with the records redacted now, and how the live ones
   * will look once redacted (what the mod-log may show of them).
   */
  redactJobs(jobIds: readonly string[]): Promise<{ redacted: Job[]; live: Job[] }>;
}

const recentlyFinishedKept = 1000;

/**
 * The queue: admission (admission.ts), one pipeline per live job (pipeline.ts), recovery at start (recovery.ts),
 * cancel (cancel.ts) and stop. It owns the in-memory view of live jobs; the store is the source of truth.
 */
export function createQueueService(deps: QueueDeps): QueueService {
  const { store, responder, clock, limits } = deps;
  const policy = deps.policy;
  const guildConcurrencyOf = (guildId: string) => Math.min(limits.guildConcurrency, policy?.limitsOf(guildId).concurrency ?? Infinity);
  const slots = deps.slots;
  const scheduler = new Scheduler({
    ...limits,
    ...(policy ? { concurrencyOf: guildConcurrencyOf } : {}),
    ...(slots ? { canStart: () => slots.free() > 0 } : {}),
  });
  const stopper = new AbortController();
  /** When a member whose input the job holds (its own, or the one it copied) was forgotten after it was made. */
  const forgotten = (job: Job) => {
    let latest: number | undefined;
    for (const userId of inputOwnersOf(job)) {
      const since = deps.forgottenSince?.(job.guildId, userId);
      if (since !== undefined && job.createdAt <= since && (latest === undefined || since > latest)) latest = since;
    }
    return latest;
  };
  const writer = createJobWriter(store, {
    clock,
    log: deps.log,
    signal: stopper.signal,
    ...deps.writeRetry,
    prepare: (job) => {
      const since = isTerminal(job.state) && job.forgottenAt === undefined ? forgotten(job) : undefined;
      return since === undefined ? job : redactJob(job, since);
    },
  });
  const reservations = new Reservations();
  const jobs = new Map<string, Job>();
  const controls = new Map<string, JobControl>();
  /** Last position shown per waiting job: only changes are pushed. */
  const shownPositions = new Map<string, number>();
  /** States of recently finished jobs, so checkCancel can answer without I/O. Bounded, oldest dropped first. */
  const finished = new Map<string, Job['state']>();
  let seq = 0;
  let stopping = false;
  const lines = createLineView({
    scheduler,
    jobs,
    median: deps.history ? (duration) => deps.history?.median(duration) : undefined,
    // The process-wide cap binds too when it is lower.
    concurrencyOf: (guildId) => Math.min(limits.maxConcurrent, guildConcurrencyOf(guildId)),
    now: () => clock.now(),
  });
  /** Every progress update carries the job's ETA (absent without history), whoever sends it. */
  const shown: Responder = {
    update: (job, info) => responder.update(job, info?.position !== undefined ? info : { ...lines.progressInfo(job), ...info }),
    finish: (job) => responder.finish(job),
    deliver: (...args) => responder.deliver(...args),
  };

  const ctx: QueueContext = {
    store,
    runner: deps.runner,
    responder: shown,
    clock,
    fetchImage: deps.fetchImage,
    policy,
    stopSignal: stopper.signal,
    current: (jobId) => jobs.get(jobId),
    async commit(decided, onRefused) {
      // The reply target changes beside the pipeline (see updateReply): never write an older one back.
      const live = jobs.get(decided.id);
      const job = live ? { ...decided, reply: live.reply } : decided;
      jobs.set(job.id, job);
      // The prediction is over once the job delivers or ends: its slot goes to the next job (or another process).
      if (job.state === 'delivering' || isTerminal(job.state)) slots?.release(job.id);
      await writer.save(job, onRefused);
      return job;
    },
    untilStored: (job, what, call) => writer.untilAnswered(job, what, call),
    showEnd,
    logFor: (job) =>
      deps.log.child({
        jobId: job.id,
        guildId: job.guildId,
        userId: job.userId,
        ...(job.predictionId ? { predictionId: job.predictionId } : {}),
      }),
  };

  function showEnd(job: Job): void {
    void responder.finish(job).then(
      // Straight to the writer: the job may be settled (gone from memory) by then.
      () => writer.save({ ...job, endShown: true }),
    ).catch(() => undefined); // only stop() rejects the write: the next start shows the end again
  }

  /**
   * Shows the waiting their places, with the ETA as of now. Only a change of place (or an ETA appearing or going)
   * is pushed: the line's moves refresh the ETAs, the clock alone never edits a message.
   */
  function showPositions(guildId: string): void {
    const ids = scheduler.waitingIds(guildId);
    if (ids.length === 0) return;
    const etas = lines.lineEtas(guildId, ids);
    ids.forEach((jobId, index) => {
      const job = jobs.get(jobId);
      const eta = etas[index];
      // The place, and whether an ETA shows: what decides an edit.
      const key = 2 * (index + 1) + (eta === undefined ? 0 : 1);
      if (!job || shownPositions.get(jobId) === key) return;
      shownPositions.set(jobId, key);
      responder.update(job, { position: index + 1, ...(eta !== undefined ? { etaMs: eta } : {}) });
    });
  }

  /** Gives every job the scheduler lets start its turn, then shows the guilds' new places. */
  function pump(): void {
    if (stopping) return;
    const guilds = new Set<string>();
    for (let entry = scheduler.next(); entry; entry = scheduler.next()) {
      slots?.use(entry.jobId);
      shownPositions.delete(entry.jobId);
      guilds.add(entry.guildId);
      controls.get(entry.jobId)?.turn.fire();
    }
    for (const guildId of guilds) showPositions(guildId);
    slots?.demandChanged();
  }
  slots?.attach(() => scheduler.readyCount(), pump);

  const line: Line = {
    join(job) {
      reservations.release(job.id);
      return scheduler.enqueue(toEntry(job)).round;
    },
    position: (jobId) => scheduler.position(jobId),
    moved(guildId) {
      // Run first, then show places: a job that can start at once goes straight to "Starting…".
      pump();
      showPositions(guildId);
    },
  };

  /** Starts the job's pipeline; resolves when it ends (or halts on stop). */
  function launch(job: Job, control: JobControl): Promise<Job> {
    jobs.set(job.id, job);
    controls.set(job.id, control);
    const task = runPipeline(ctx, line, job.id, control).then(
      (final) => settle(final, control),
      (err: unknown) => {
        // Only stop() makes a pipeline give up (its last write was refused until then): hand the job back. The
        // store still holds it as active, so the next start picks it up again.
        deps.log.error({ err, jobId: job.id }, 'job handed back unfinished');
        const latest = jobs.get(job.id) ?? job;
        forget(latest, control);
        return latest;
      },
    );
    control.task = task;
    return task;
  }

  function forget(job: Job, control: JobControl): void {
    if (!scheduler.finish(job.id)) scheduler.remove(job.id);
    reservations.release(job.id);
    shownPositions.delete(job.id);
    jobs.delete(job.id);
    if (controls.get(job.id) === control) controls.delete(job.id);
    pump();
  }

  /** After a terminal state: free the slot, forget the job, drop its image, start the next. */
  async function settle(job: Job, control: JobControl): Promise<Job> {
    if (!isTerminal(job.state)) return job;
    // What the store now holds: the mod-log's last edit must not show a forgotten input again.
    const since = job.forgottenAt === undefined ? forgotten(job) : undefined;
    policy?.ended(since === undefined ? job : redactJob(job, since));
    finished.set(job.id, job.state);
    if (finished.size > recentlyFinishedKept) finished.delete(finished.keys().next().value!);
    if (!scheduler.finish(job.id)) scheduler.remove(job.id);
    reservations.release(job.id);
    shownPositions.delete(job.id);
    jobs.delete(job.id);
    // A delivered video's image stays for Regenerate and Remix (the store's upkeep drops it at `keptUntil`).
    // A forgotten member's image goes now (its record was redacted by the last write).
    if (job.image && (job.image.keptUntil === undefined || forgotten(job) !== undefined)) {
      try {
        await store.deleteImage(job.id);
      } catch (err) {
        ctx.logFor(job).warn({ err }, 'image delete failed');
      }
    }
    // Forgotten only now, so that stop() still waits for the clean-up above before the store closes.
    if (controls.get(job.id) === control) controls.delete(job.id);
    pump();
    return job;
  }

  /**
   * Whether the member of a recovered job was shown its acknowledgement: the pipeline then puts it in line, or ends
   * it quietly (never shown, never charged). Only Discord's clear word that it was not drops it.
   */
  async function acknowledgedBefore(job: Job): Promise<boolean> {
    const answer = await deps.checkAcknowledgement!(job, stopper.signal).catch((err: unknown) => {
      ctx.logFor(job).warn({ err }, 'acknowledgement check failed');
      return 'unknown' as const;
    });
    ctx.logFor(job).info({ answer }, 'acknowledgement checked');
    return answer !== 'not-acknowledged';
  }

  const cancel = createCancel({
    jobs, controls, reservations, finished, store, scheduler,
    leftLine: (job) => {
      shownPositions.delete(job.id);
      showPositions(job.guildId);
    },
  });

  return {
    admit: (draft) =>
      admitJob(
        {
          scheduler, reservations, limits, policy,
          now: () => clock.now(), newId: deps.newId ?? randomUUID, nextSeq: () => ++seq, stopping: () => stopping,
        },
        draft,
      ),

    async accept(job, acknowledged) {
      const control = newControl('accepting', false, acknowledged);
      const task = launch(job, control);
      // Resolves once the job is in line (or ended): the pipeline then waits for its turn.
      await Promise.race([task, control.inLine.promise]);
    },

    release(job) {
      const jobId = typeof job === 'string' ? job : job.id;
      if (controls.has(jobId)) return;
      const reserved = reservations.get(jobId);
      if (reservations.release(jobId) && reserved) policy?.release(reserved);
    },

    whenStored: (jobId) => controls.get(jobId)?.stored.promise ?? Promise.resolve('stored'),

    checkCancel: cancel.check,
    cancel: cancel.cancel,

    async start() {
      const active = await store.listActiveJobs();
      seq = Math.max(seq, ...active.map((job) => job.seq));
      const plan = planRecovery(active, deps.checkAcknowledgement !== undefined);
      const guilds = new Set<string>();
      for (const job of plan.resume) {
        scheduler.markRunning(toEntry(job));
        // Its prediction may be running at Replicate already: it counts against the cap at once, even past it.
        if (job.state !== 'delivering') slots?.adopt(job.id);
      }
      for (const job of plan.waiting) {
        scheduler.enqueue(toEntry(job));
        guilds.add(job.guildId);
      }
      deps.log.info(
        { waiting: plan.waiting.length, refetch: plan.refetch.length, unsure: plan.unsure.length, resume: plan.resume.length, unshown: plan.unshown.length },
        'queue recovered',
      );
      for (const job of plan.unshown) showEnd(job);
      for (const job of plan.waiting) void launch(job, newControl('waiting', true));
      for (const job of plan.refetch) void launch(job, newControl('accepting', true));
      for (const job of plan.unsure) void launch(job, newControl('accepting', true, acknowledgedBefore(job)));
      for (const job of plan.resume) {
        // A delivering job's reply may already show the video: only the delivery decides what it shows next.
        if (job.state !== 'delivering') shown.update(job);
        void launch(job, newControl('started', true));
      }
      for (const guildId of guilds) showPositions(guildId);
      pump();
    },

    async stop() {
      stopping = true;
      stopper.abort(new Error('queue stopping'));
      await Promise.allSettled([...controls.values()].map((control) => control.task));
      await writer.flush();
      deps.log.info({ waiting: scheduler.waitingTotal(), running: scheduler.runningCount() }, 'queue stopped');
    },

    async updateReply(jobId, reply) {
      const live = jobs.get(jobId);
      if (!live) return;
      const job = { ...live, reply };
      jobs.set(jobId, job);
      await writer.save(job);
    },

    async getJob(jobId) {
      return jobs.get(jobId) ?? reservations.get(jobId) ?? store.getJob(jobId);
    },

    async inputOf(jobId, guildId) {
      const job = jobs.get(jobId) ?? (await store.getJob(jobId));
      if (job && job.guildId !== guildId) return { ok: false, refusal: 'job-not-found' };
      // A live job's input is redacted only by its last write: the member's forget counts already.
      if (job && forgotten(job) !== undefined) return { ok: false, refusal: 'input-forgotten' };
      return reusableInput(job, clock.now());
    },

    stats() {
      return { waiting: scheduler.waitingTotal(), running: scheduler.runningCount(), accepting: reservations.size };
    },

    async cancelNotStartedOf(guildId, userId, by) {
      // Every live job, not only the line: one being accepted joins the line after this look.
      const notStarted = [...jobs.values()].filter(
        (job) =>
          job.guildId === guildId &&
          job.userId === userId &&
          (job.state === 'queued' || (job.state === 'starting' && job.createStartedAt === undefined)),
      );
      const results = await Promise.all(notStarted.map((job) => cancel.cancel(job.id, by)));
      return results.filter((result) => result === 'canceled').length;
    },

    async redactJobs(jobIds) {
      const redacted: Job[] = [];
      const live: Job[] = [];
      for (const jobId of jobIds) {
        const current = jobs.get(jobId);
        if (current || controls.has(jobId)) {
          // Live: its last write redacts it.
          const since = current && forgotten(current);
          if (since !== undefined) live.push(redactJob(current!, since));
          continue;
        }
        const job = await store.getJob(jobId);
        if (!job || !isTerminal(job.state) || job.forgottenAt !== undefined) continue;
        const since = forgotten(job);
        if (since === undefined) continue;
        await writer.save(job); // `prepare` redacts it
        if (job.image) await writer.untilAnswered(job, 'image delete', () => store.deleteImage(job.id));
        redacted.push(redactJob(job, since));
      }
      return { redacted, live };
    },

    liveJobs: () => jobs.values(),
    guildSnapshot: lines.guildSnapshot,
    memberJobs: lines.memberJobs,
  };
}

function toEntry(job: Job): QueueEntry {
  return {
    jobId: job.id,
    guildId: job.guildId,
    userId: job.userId,
    seq: job.seq,
    ...(job.queueRound !== undefined ? { round: job.queueRound } : {}),
  };
}
