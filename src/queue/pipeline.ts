import { advance, conclude, type JobControl, type Line, type QueueContext } from './context.js';
import { describeCancel, describeFault, describePredictionEnd } from './describe.js';
import { isTerminal, moveJob, type Job } from './job.js';
import { keepStartImage, obtainImage } from './kept-image.js';
import { JobFailure, type PredictionSnapshot, type StartImage } from './ports.js';
import { untilAborted } from './until-aborted.js';

/** A job that has a prediction at Replicate: running or delivering. */
type WithPrediction = Job & { predictionId: string };

/**
 * The life of one job in this process, from acceptance (or its persisted state after a restart) to the end:
 * accept (persist, store the image) → wait in line → start the prediction → wait for it → deliver.
 * This is the job's only writer: cancel, stop and the scheduler only signal it through its JobControl.
 * Invariants: one prediction per job, ever (the `createStartedAt` marker is durable before `create`, and a
 * recovered marker looks for the earlier prediction first); a prediction is never left running after a cancel
 * or a failure of ours; a fault of our own (store, network, Discord) is retried where it happens and never fails
 * the job; on stop() the job halts with its persisted state untouched.
 * Resolves with the job's latest version (terminal unless stopped).
 */
export async function runPipeline(ctx: QueueContext, line: Line, jobId: string, control: JobControl): Promise<Job> {
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
          await queuedStep(ctx, line, job, control);
          break;
        case 'starting':
          await startPrediction(ctx, job, control);
          break;
        case 'running':
          await awaitPrediction(ctx, withPrediction(job), control);
          break;
        case 'delivering':
          await deliver(ctx, withPrediction(job), resumedDelivery, latest);
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

function withPrediction(job: Job): WithPrediction {
  // Recovery turns a running record without an id back into `starting`, so this holds for every stored job.
  if (!job.predictionId) throw new Error(`${job.state} job without a prediction id`);
  return job as WithPrediction;
}

async function queuedStep(ctx: QueueContext, line: Line, job: Job, control: JobControl): Promise<void> {
  const halt = AbortSignal.any([ctx.stopSignal, control.cancel.signal]);
  if (control.stage === 'accepting') {
    await accept(ctx, line, job, control, halt);
    return;
  }
  if (control.stage === 'waiting') {
    await untilAborted(control.turn.promise, halt);
    control.stage = 'started';
    return;
  }
  await advance(ctx, job, 'starting');
}

/**
 * The first durable write of the job (the command gives it a moment before acknowledging, so that what the member
 * is shown is stored), then its image (its signed URL expires soon), then its place in line.
 */
async function accept(ctx: QueueContext, line: Line, admitted: Job, control: JobControl, halt: AbortSignal): Promise<void> {
  let job = await ctx.commit(admitted, () => control.stored.fire('refused'));
  control.stored.fire('stored');
  if (!(await untilAborted(control.acknowledged, halt))) {
    // Discord never showed the member anything: nothing to tell, nothing to charge.
    await ctx.commit(moveJob(job, 'canceled', ctx.clock.now(), { reason: 'The request could not be acknowledged.' }));
    ctx.logFor(job).info('job dropped: never acknowledged');
    return;
  }
  if (job.image && !job.image.stored) {
    const fetched = await untilAborted(obtainImage(ctx, job, job.image, halt), halt);
    halt.throwIfAborted();
    await ctx.untilStored(job, 'image write', () => ctx.store.saveImage(job.id, fetched.bytes));
    halt.throwIfAborted();
    job = await ctx.commit({ ...job, image: { ...job.image, stored: true, mimeType: fetched.mimeType }, updatedAt: ctx.clock.now() });
  }
  halt.throwIfAborted();
  const round = line.join(job);
  control.stage = 'waiting';
  job = await ctx.commit({ ...job, queueRound: round });
  ctx.logFor(job).info({ position: line.position(job.id) }, 'job queued');
  ctx.policy?.accepted(job);
  control.inLine.fire();
  line.moved(job.guildId);
}

async function startPrediction(ctx: QueueContext, job: Job, control: JobControl): Promise<void> {
  if (job.predictionId) {
    await toRunning(ctx, job, control, job.predictionId);
    return;
  }
  // Replicate may be unreachable for a long time: a cancel ends the wait (see cancelNow for a create in flight).
  const halt = AbortSignal.any([ctx.stopSignal, control.cancel.signal]);
  if (control.recovered) {
    // A crash fell between "marker persisted" and "prediction id persisted": adopt what Replicate has. Without a
    // marker too: a store that lost its last writes (Redis fsyncs once a second) may have lost the marker of a
    // create that was sent; the look-up then starts from the move to `starting`, which came before it.
    const found = await ctx.runner.findCreated({ ...job, createStartedAt: job.createStartedAt ?? job.updatedAt }, halt);
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
  const snapshot = await ctx.runner.create(marked, image, halt);
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
  const bytes = job.image.stored ? await ctx.untilStored(job, 'image read', () => ctx.store.loadImage(job.id)) : undefined;
  if (!bytes) throw new JobFailure('The image for this video is no longer available. Please send it again.');
  return {
    bytes,
    mimeType: job.image.mimeType ?? job.image.contentType ?? 'application/octet-stream',
    filename: job.image.filename,
  };
}

async function awaitPrediction(ctx: QueueContext, job: WithPrediction, control: JobControl): Promise<void> {
  const signal = AbortSignal.any([ctx.stopSignal, control.cancel.signal]);
  const end = await ctx.runner.waitForEnd(job.predictionId, {
    signal,
    seconds: job.seconds,
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

/**
 * The delivery is what the member sees; the record follows each of its steps: the video up (`postedAt`), the
 * member pinged (`pingedAt`), then done. A restart reads them to do neither twice.
 */
async function deliver(ctx: QueueContext, job: WithPrediction, resumed: boolean, latest: () => Job): Promise<void> {
  if (!job.outputUrl) throw new Error('delivering job without an output URL');
  const delivery = await ctx.responder.deliver(job, job.outputUrl, ctx.stopSignal, {
    resumed,
    markPosted: async (kind, message) => {
      const now = ctx.clock.now();
      const posted = latest();
      const where = message ?? posted.postedMessage;
      await ctx.commit({ ...posted, delivery: kind, postedAt: posted.postedAt ?? now, ...(where ? { postedMessage: where } : {}), updatedAt: now });
    },
    markPinged: async () => {
      const now = ctx.clock.now();
      await ctx.commit({ ...latest(), pingedAt: latest().pingedAt ?? now, updatedAt: now });
    },
  });
  const kept = await keepStartImage(ctx, latest());
  await ctx.commit(moveJob(latest(), 'done', ctx.clock.now(), { delivery, ...kept }));
  ctx.logFor(job).info({ delivery }, 'job done');
}

export async function cancelNow(ctx: QueueContext, job: Job, control: JobControl): Promise<Job> {
  const request = control.cancelRequest!;
  if (job.predictionId) await cancelPrediction(ctx, job, job.predictionId);
  // A create was under way (the marker is stored) and may have gone through: the member sees "canceled" at once,
  // and the prediction, if Replicate made it, is found and canceled as soon as Replicate answers.
  else if (job.createStartedAt !== undefined) void cancelIfCreated(ctx, job);
  ctx.logFor(job).info({ byModerator: request.byModerator }, 'job canceled');
  return conclude(ctx, job, 'canceled', {
    reason: describeCancel(request.byModerator),
    ...(request.byModerator ? { canceledBy: request.userId } : {}),
  });
}

/** Only for what the member caused or Replicate decided (JobFailure), or a bug of ours (a reference id). */
async function failJob(ctx: QueueContext, job: Job, err: unknown): Promise<Job> {
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

async function cancelIfCreated(ctx: QueueContext, job: Job): Promise<void> {
  try {
    const found = await ctx.runner.findCreated(job, ctx.stopSignal);
    if (found) await cancelPrediction(ctx, job, found.id);
  } catch (err) {
    if (!ctx.stopSignal.aborted) ctx.logFor(job).warn({ err }, 'could not look for the prediction of a canceled create');
  }
}

async function cancelPrediction(ctx: QueueContext, job: Job, predictionId: string): Promise<void> {
  try {
    await ctx.runner.cancel(predictionId);
  } catch (err) {
    ctx.logFor(job).error({ err, predictionId }, 'prediction cancel failed');
  }
}
