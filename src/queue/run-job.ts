import { advance, conclude, type JobControl, type QueueContext } from './context.js';
import { describeCancel, describeFault, describePredictionEnd } from './describe.js';
import { isTerminal, moveJob, type Job } from './job.js';
import { JobFailure, type PredictionSnapshot, type StartImage } from './ports.js';

/**
 * Drives one job the scheduler picked (or recovery resumed) from its persisted state to the end.
 * Invariants: one prediction per job, ever (the `createStartedAt` marker is durable before `create`, and a
 * recovered marker looks for the earlier prediction first); a prediction is never left running after a cancel
 * or a failure of ours; on stop() the job halts with its persisted state untouched.
 * Resolves with the job's latest version (terminal unless stopped).
 */
export async function runJob(ctx: QueueContext, jobId: string, control: JobControl): Promise<Job> {
  const latest = (): Job => {
    const job = ctx.current(jobId);
    if (!job) throw new Error(`job ${jobId} is not live`);
    return job;
  };
  // Delivering when the last process stopped: the video may already be up (posted, then not recorded as done).
  const resumedDelivery = control.recovered && ctx.current(jobId)?.state === 'delivering';
  try {
    for (;;) {
      const job = latest();
      if (isTerminal(job.state) || ctx.stopSignal.aborted) return job;
      if (control.cancelRequest && job.state !== 'delivering') return await cancelNow(ctx, job, control);
      switch (job.state) {
        case 'queued':
          await advance(ctx, job, 'starting');
          break;
        case 'starting':
          await startPrediction(ctx, job, control);
          break;
        case 'running':
          await awaitPrediction(ctx, job, control);
          break;
        case 'delivering':
          await deliver(ctx, job, resumedDelivery);
          break;
      }
    }
  } catch (err) {
    const job = latest();
    if (ctx.stopSignal.aborted || isTerminal(job.state)) return job;
    if (control.cancelRequest && job.state !== 'delivering') return await cancelNow(ctx, job, control);
    return await failJob(ctx, job, err);
  }
}

async function startPrediction(ctx: QueueContext, job: Job, control: JobControl): Promise<void> {
  if (job.predictionId) {
    await toRunning(ctx, job, control, job.predictionId);
    return;
  }
  if (control.recovered && job.createStartedAt !== undefined) {
    // A crash fell between "marker persisted" and "prediction id persisted": adopt what Replicate has.
    const found = await ctx.runner.findCreated(job, ctx.stopSignal);
    if (found) {
      ctx.logFor(job).info({ predictionId: found.id }, 'prediction adopted');
      await toRunning(ctx, job, control, found.id);
      return;
    }
    // None found: the create never reached Replicate (or left no trace), so create now. A job that never runs
    // would be a certain loss; a duplicate here needs Replicate to have hidden an accepted create.
  }
  const image = await loadStartImage(ctx, job);
  const now = ctx.clock.now();
  const marked = await ctx.commit({ ...job, createStartedAt: now, updatedAt: now });
  if (control.cancelRequest || ctx.stopSignal.aborted) return;
  // The create is not given the cancel signal: aborting it mid-flight could leave a prediction we cannot name.
  const snapshot = await ctx.runner.create(marked, image, ctx.stopSignal);
  ctx.logFor(marked).info({ predictionId: snapshot.id }, 'prediction created');
  await toRunning(ctx, marked, control, snapshot.id);
}

async function toRunning(ctx: QueueContext, job: Job, control: JobControl, predictionId: string): Promise<void> {
  const now = ctx.clock.now();
  const patch = { predictionId, startedAt: job.startedAt ?? now };
  if (control.cancelRequest) {
    // Persist the id (so the prediction can be named after a crash) but do not show "running" any more.
    await ctx.commit({ ...job, ...patch, state: 'running', updatedAt: now });
    return;
  }
  await advance(ctx, job, 'running', patch);
}

async function loadStartImage(ctx: QueueContext, job: Job): Promise<StartImage | undefined> {
  if (!job.image) return undefined;
  const bytes = job.image.stored ? await ctx.store.loadImage(job.id) : undefined;
  if (!bytes) throw new JobFailure('The image for this video is no longer available. Please send it again.');
  return {
    bytes,
    mimeType: job.image.mimeType ?? job.image.contentType ?? 'application/octet-stream',
    filename: job.image.filename,
  };
}

async function awaitPrediction(ctx: QueueContext, job: Job, control: JobControl): Promise<void> {
  const predictionId = job.predictionId;
  if (!predictionId) throw new Error('running job without a prediction id');
  const signal = AbortSignal.any([ctx.stopSignal, control.cancel.signal]);
  const end = await ctx.runner.waitForEnd(predictionId, {
    signal,
    ...(job.startedAt !== undefined ? { startedAt: job.startedAt } : {}),
    onUpdate: () => {
      const live = ctx.current(job.id);
      if (!signal.aborted && live?.state === 'running') ctx.responder.update(live);
    },
  });
  await settlePrediction(ctx, job, control, end);
}

async function settlePrediction(
  ctx: QueueContext,
  job: Job,
  control: JobControl,
  end: PredictionSnapshot,
): Promise<void> {
  const now = ctx.clock.now();
  if (end.status === 'succeeded' && end.output) {
    await advance(ctx, job, 'delivering', { predictionDoneAt: now, outputUrl: end.output });
    return;
  }
  if (end.status === 'canceled') {
    const request = control.cancelRequest;
    await conclude(ctx, job, 'canceled', {
      predictionDoneAt: now,
      reason: request ? describeCancel(request.byModerator) : describePredictionEnd(end),
      ...(request?.byModerator ? { canceledBy: request.userId } : {}),
    });
    return;
  }
  if (end.status === 'starting' || end.status === 'processing') {
    throw new Error(`waitForEnd resolved with a live prediction (${end.status})`);
  }
  ctx.logFor(job).info({ predictionId: end.id, status: end.status }, 'prediction ended without a video');
  await conclude(ctx, job, 'failed', { predictionDoneAt: now, reason: describePredictionEnd(end) });
}

async function deliver(ctx: QueueContext, job: Job, resumed: boolean): Promise<void> {
  if (!job.outputUrl) throw new Error('delivering job without an output URL');
  // The newest version: the responder may have saved a moved reply meanwhile.
  const live = (): Job => ctx.current(job.id) ?? job;
  const delivery = await ctx.responder.deliver(job, job.outputUrl, ctx.stopSignal, {
    resumed,
    // What the member already saw is recorded before anything else is shown, so a restart repeats neither.
    markPosted: async (kind) => {
      const now = ctx.clock.now();
      await ctx.commit({ ...live(), delivery: kind, postedAt: live().postedAt ?? now, updatedAt: now });
    },
    markPinged: async () => {
      const now = ctx.clock.now();
      await ctx.commit({ ...live(), pingedAt: live().pingedAt ?? now, updatedAt: now });
    },
  });
  await ctx.commit(moveJob(live(), 'done', ctx.clock.now(), { delivery }));
  ctx.logFor(job).info({ delivery }, 'job done');
}

export async function cancelNow(ctx: QueueContext, job: Job, control: JobControl): Promise<Job> {
  const request = control.cancelRequest!;
  if (job.predictionId) await cancelPrediction(ctx, job, job.predictionId);
  ctx.logFor(job).info({ byModerator: request.byModerator }, 'job canceled');
  return conclude(ctx, job, 'canceled', {
    reason: describeCancel(request.byModerator),
    ...(request.byModerator ? { canceledBy: request.userId } : {}),
  });
}

export async function failJob(ctx: QueueContext, job: Job, err: unknown): Promise<Job> {
  const log = ctx.logFor(job);
  let reason: string;
  if (err instanceof JobFailure) {
    reason = err.reason;
    log.warn({ reason }, 'job failed');
  } else {
    reason = describeFault(job.id);
    log.error({ err, predictionId: job.predictionId }, 'job failed unexpectedly');
  }
  if (job.predictionId && job.state === 'running') await cancelPrediction(ctx, job, job.predictionId);
  return conclude(ctx, job, 'failed', { reason });
}

async function cancelPrediction(ctx: QueueContext, job: Job, predictionId: string): Promise<void> {
  try {
    await ctx.runner.cancel(predictionId);
  } catch (err) {
    ctx.logFor(job).error({ err, predictionId }, 'prediction cancel failed');
  }
}
