import { randomUUID } from 'node:crypto';
import { conclude, newControl, type JobControl, type QueueContext } from './context.js';
import { describeCancel } from './describe.js';
import { isTerminal, requestedSeconds, type Job } from './job.js';
import { createJobWriter } from './job-writer.js';
import { planRecovery } from './recovery.js';
import { Reservations } from './reservations.js';
import { cancelNow, failJob, runJob } from './run-job.js';
import { untilAborted } from './abortable.js';
import { Scheduler, type QueueEntry } from './scheduler.js';
import type { CancelResult, QueueDeps, QueueService } from './queue-types.js';

export type * from './queue-types.js';

const recentlyFinishedKept = 1000;

export function createQueueService(deps: QueueDeps): QueueService {
  const { store, responder, clock, limits } = deps;
  const newId = deps.newId ?? randomUUID;
  const scheduler = new Scheduler(limits);
  const writer = createJobWriter(store);
  const reservations = new Reservations();
  const jobs = new Map<string, Job>();
  const controls = new Map<string, JobControl>();
  /** Last position shown per waiting job: only changes are pushed. */
  const shownPositions = new Map<string, number>();
  /** States of recently finished jobs, so checkCancel can answer without I/O. Bounded, oldest dropped first. */
  const finished = new Map<string, Job['state']>();
  const stopper = new AbortController();
  let seq = 0;
  let stopping = false;

  const ctx: QueueContext = {
    store,
    runner: deps.runner,
    responder,
    clock,
    stopSignal: stopper.signal,
    current: (jobId) => jobs.get(jobId),
    async commit(decided) {
      // The reply target changes beside the pipeline (see updateReply): never write an older one back.
      const live = jobs.get(decided.id);
      const job = live ? { ...decided, reply: live.reply } : decided;
      jobs.set(job.id, job);
      await writer.save(job);
      return job;
    },
    logFor: (job) =>
      deps.log.child({
        jobId: job.id,
        guildId: job.guildId,
        userId: job.userId,
        ...(job.predictionId ? { predictionId: job.predictionId } : {}),
      }),
  };

  function pushPositions(guildId: string): void {
    scheduler.waitingIds(guildId).forEach((jobId, index) => {
      const job = jobs.get(jobId);
      if (!job || shownPositions.get(jobId) === index + 1) return;
      shownPositions.set(jobId, index + 1);
      responder.update(job, { position: index + 1 });
    });
  }

  function pump(): void {
    if (stopping) return;
    const guilds = new Set<string>();
    for (let entry = scheduler.next(); entry; entry = scheduler.next()) {
      shownPositions.delete(entry.jobId);
      guilds.add(entry.guildId);
      launch(entry.jobId, false);
    }
    for (const guildId of guilds) pushPositions(guildId);
  }

  function launch(jobId: string, recovered: boolean): void {
    const control = newControl(recovered);
    controls.set(jobId, control);
    control.task = runJob(ctx, jobId, control).then(
      (job) => settle(job, control),
      (err: unknown) => {
        // Even the failure could not be recorded (store down): free the slot so the line moves; the store still
        // holds the job as active, so the next start picks it up again.
        const job = jobs.get(jobId);
        deps.log.error({ err, jobId }, 'job could not be settled');
        scheduler.finish(jobId);
        jobs.delete(jobId);
        shownPositions.delete(jobId);
        if (controls.get(jobId) === control) controls.delete(jobId);
        pump();
        if (!job) throw err;
        return job;
      },
    );
  }

  /** After a terminal state: free the slot, forget the job, drop its image, start the next. */
  async function settle(job: Job, control?: JobControl): Promise<Job> {
    if (!isTerminal(job.state)) return job;
    finished.set(job.id, job.state);
    if (finished.size > recentlyFinishedKept) finished.delete(finished.keys().next().value!);
    if (!scheduler.finish(job.id)) scheduler.remove(job.id);
    reservations.release(job.id);
    shownPositions.delete(job.id);
    jobs.delete(job.id);
    if (job.image) {
      try {
        await store.deleteImage(job.id);
      } catch (err) {
        ctx.logFor(job).warn({ err }, 'image delete failed');
      }
    }
    // Forgotten only now, so that stop() still waits for the clean-up above before the store closes.
    if (!control || controls.get(job.id) === control) controls.delete(job.id);
    pump();
    return job;
  }

  async function acceptTask(admitted: Job, control: JobControl): Promise<Job> {
    let job = admitted;
    try {
      job = await ctx.commit(job);
      if (job.image && !job.image.stored) {
        if (!deps.fetchImage) throw new Error('no image fetcher configured');
        const signal = AbortSignal.any([stopper.signal, control.cancel.signal]);
        const fetched = await untilAborted(deps.fetchImage(job.image, signal), signal);
        signal.throwIfAborted();
        await store.saveImage(job.id, fetched.bytes);
        signal.throwIfAborted();
        job = { ...job, image: { ...job.image, stored: true, mimeType: fetched.mimeType }, updatedAt: clock.now() };
      }
      if (control.cancelRequest) throw new Error('canceled');
      reservations.release(job.id);
      controls.delete(job.id);
      const entry = scheduler.enqueue(toEntry(job));
      job = await ctx.commit({ ...job, queueRound: entry.round });
      ctx.logFor(job).info({ position: scheduler.position(job.id) }, 'job queued');
      return job;
    } catch (err) {
      reservations.release(job.id);
      controls.delete(job.id);
      const latest = jobs.get(job.id) ?? job;
      // Halted by stop(): the job stays queued in the store and recovery fetches the image again.
      if (stopper.signal.aborted || isTerminal(latest.state) || scheduler.isWaiting(latest.id)) return latest;
      return settle(await (control.cancelRequest ? cancelNow(ctx, latest, control) : failJob(ctx, latest, err)));
    }
  }

  function startAccepting(job: Job): Promise<Job> {
    const control = newControl();
    controls.set(job.id, control);
    reservations.add(job);
    const task = acceptTask(job, control).catch((err: unknown) => {
      ctx.logFor(job).error({ err }, 'job could not be accepted');
      return jobs.get(job.id) ?? job;
    });
    control.task = task;
    return task.then((final) => {
      // Run first, then show places: a job that starts at once goes straight to "Starting…".
      pump();
      pushPositions(final.guildId);
      return final;
    });
  }

  async function cancelWaiting(job: Job, byModerator: boolean, userId: string): Promise<CancelResult> {
    shownPositions.delete(job.id);
    pushPositions(job.guildId);
    ctx.logFor(job).info({ byModerator }, 'job canceled');
    const patch = byModerator ? { canceledBy: userId } : {};
    const final = await conclude(ctx, job, 'canceled', { reason: describeCancel(byModerator), ...patch });
    await settle(final);
    return 'canceled';
  }

  return {
    admit(draft) {
      if (stopping) return { ok: false, refusal: 'shutting-down' };
      const { guildId, userId } = draft;
      if (scheduler.waitingCount(guildId) + reservations.guildCount(guildId) >= limits.guildQueueLimit) {
        return { ok: false, refusal: 'queue-full' };
      }
      if (scheduler.pendingCount(guildId, userId) + reservations.memberCount(guildId, userId) >= limits.userPendingLimit) {
        return { ok: false, refusal: 'pending-limit' };
      }
      const now = clock.now();
      const job: Job = {
        id: newId(),
        guildId,
        userId,
        seq: ++seq,
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
    },

    async accept(job) {
      await startAccepting(job);
    },

    release(job) {
      const jobId = typeof job === 'string' ? job : job.id;
      if (!controls.has(jobId)) reservations.release(jobId);
    },

    checkCancel(jobId, by) {
      const job = jobs.get(jobId) ?? reservations.get(jobId);
      if (!job) return finished.has(jobId) ? 'already-finished' : 'job-not-found';
      if (by.userId !== job.userId && !by.canManageGuild) return 'not-allowed-to-cancel';
      if (isTerminal(job.state) || job.state === 'delivering') return 'already-finished';
      return 'ok';
    },

    async cancel(jobId, by) {
      // A job moves from accepting to waiting to running: follow it until its current owner has answered.
      for (let attempt = 0; attempt < 4; attempt++) {
        const job = jobs.get(jobId) ?? reservations.get(jobId) ?? (await store.getJob(jobId));
        if (!job) return 'not-found';
        const byModerator = by.userId !== job.userId;
        if (byModerator && !by.canManageGuild) return 'not-allowed';
        if (isTerminal(job.state) || job.state === 'delivering') return 'already-finished';
        if (scheduler.remove(jobId)) return cancelWaiting(job, byModerator, by.userId);
        const control = controls.get(jobId);
        if (!control?.task) return jobs.has(jobId) ? 'already-finished' : 'not-found';
        control.cancelRequest ??= { byModerator, userId: by.userId };
        control.cancel.abort(new Error('canceled'));
        const final = await control.task.catch(() => undefined);
        if (!final) return 'already-finished';
        if (final.state === 'canceled') return 'canceled';
        if (isTerminal(final.state) || stopping) return 'already-finished';
      }
      return 'already-finished';
    },

    async start() {
      const active = await store.listActiveJobs();
      seq = Math.max(seq, ...active.map((job) => job.seq));
      const plan = planRecovery(active);
      const guilds = new Set<string>();
      for (const job of plan.resume) {
        jobs.set(job.id, job);
        scheduler.markRunning(toEntry(job));
      }
      for (const job of plan.waiting) {
        jobs.set(job.id, job);
        scheduler.enqueue(toEntry(job));
        guilds.add(job.guildId);
      }
      deps.log.info(
        { waiting: plan.waiting.length, refetch: plan.refetch.length, resume: plan.resume.length },
        'queue recovered',
      );
      for (const job of plan.refetch) void startAccepting(job);
      for (const job of plan.resume) {
        // A delivering job's reply may already show the video: only the delivery decides what it shows next.
        if (job.state !== 'delivering') responder.update(job);
        launch(job.id, true);
      }
      for (const guildId of guilds) pushPositions(guildId);
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

    stats() {
      return { waiting: scheduler.waitingTotal(), running: scheduler.runningCount(), accepting: reservations.size };
    },
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
