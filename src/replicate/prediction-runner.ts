import type { Logger } from 'pino';
import type { Prediction } from 'replicate';
import type Replicate from 'replicate';
import type { Clock } from '../clock.js';
import { predictionGoneReason } from '../queue/describe.js';
import type { GenerationHistory, GenerationSample } from '../queue/eta.js';
import type { BotMetrics } from '../ops/bot-metrics.js';
import type { Job } from '../queue/job.js';
import { JobFailure, type PredictionRunner, type PredictionSnapshot, type StartImage } from '../queue/ports.js';
import { classify, isAmbiguous, isGone, isOperatorRefusal, shortReason, type Failure } from './api-error.js';
import type { ClaimStore } from '../storage/claims.js';
import { createAdoption, localClaims } from './adoption.js';
import { findCreatedPrediction } from './find-created.js';
import type { ModelRegistry } from '../models/registry.js';
import { firstFrameField, modelOfRequest, requestInput } from '../models/job-request.js';
import { renderModelRefusal } from '../models/refusals.js';
import { toModelInput as defaultModelInput } from './input.js';
import { nextPollDelay } from './poll-schedule.js';
import { rank, type PredictionInbox } from './prediction-inbox.js';
import { backoffMs, defaultRetryPolicy, retryDelayMs, withRetry, type RetryInfo, type RetryPolicy } from './retry.js';
import { generationMs, isTerminalStatus, toSnapshot } from './snapshot.js';

export const klingModel = 'kwaivgi/kling-v1.6-standard';

/**
 * The bot's own generation times (the same history the queue's ETA reads) and where they are kept between runs:
 * each succeeded prediction adds a sample for its clip's duration, saved before the wait returns.
 */
export interface GenerationTimes {
  history: GenerationHistory;
  save(samples: GenerationSample[]): Promise<void>;
}

export interface PredictionRunnerOptions {
  /** A client from createReplicateClient (its own retries are off). */
  client: Replicate;
  /** Default kwaivgi/kling-v1.6-standard. */
  model?: `${string}/${string}`;
  /**
   * How each model's predictions are created (official by name, community by its latest version id) and whose
   * schema is read again after Replicate refuses an input. Without it the model is run by name.
   */
  models?: Pick<ModelRegistry, 'createTarget' | 'refresh'> & Partial<Pick<ModelRegistry, 'get'>>;
  clock: Clock;
  log: Logger;
  /** REPLICATE_POLL_INTERVAL_MS: the base of the adaptive poll schedule (default 5000). */
  pollIntervalMs?: number;
  /** Recent generation times per clip duration: the poll schedule expects their median. */
  times?: GenerationTimes;
  /** Generation time assumed for a duration without history (default 300 000 ms: a typical 5-second clip). */
  defaultExpectedMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Counts each failed call (by status or kind) and each retry (by what was retried). */
  metrics?: Pick<BotMetrics, 'apiError' | 'apiRetry'>;
  /** Webhook mode (PUBLIC_URL set): Replicate reports each prediction's start and end; polling is a safety net. */
  webhook?: WebhookMode;
  /**
   * Runs a status poll with a priority for the request budget (request-budget.ts): the prediction's expected end,
   * so under a spent budget the one soonest expected to finish is asked first.
   */
  prioritize?: <T>(priority: number, poll: () => Promise<T>) => Promise<T>;
  /**
   * Which job holds which prediction, and which model input is being created, shared by every process on the
   * store (Store.coordination.claims; see adoption.ts). Default: kept in this process only.
   */
  claims?: ClaimStore;
}

export interface WebhookMode {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** The store owner this process runs as (`main`, later `shard-<id>`): the URL says which process holds the job. */
  owner: string;
  /** Where the webhook receiver hands verified predictions in. */
  inbox: PredictionInbox;
  /**
   * Longest time without a word on a running prediction before it is polled (default 60 000 ms): Replicate retries
   * only the final webhook, for about a minute, so a missed one still ends the job within about a minute.
   */
  safetyPollMs?: number;
}

/** The path webhooks for `owner`'s predictions are sent to, under PUBLIC_URL. */
export const webhookPath = (owner: string): string => `/webhooks/replicate/${encodeURIComponent(owner)}`;

/**
 * A cancel is best effort (the prediction ends on its own) and the member's Cancel waits on it: a few tries, none
 * waiting longer than this, and a refused token is not waited out.
 */
const cancelAttempts = 5;
const cancelMaxWaitMs = 30_000;
/** 404s in a row before a prediction counts as gone at Replicate (one could be a glitch in front of its API). */
const goneConfirmations = 3;


export function createPredictionRunner(options: PredictionRunnerOptions): PredictionRunner {
  const { client, clock, log } = options;
  const model = options.model ?? klingModel;
  const baseMs = options.pollIntervalMs ?? 5_000;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const webhook = options.webhook;
  const safetyPollMs = webhook?.safetyPollMs ?? 60_000;
  const webhookFields = webhook
    ? { webhook: `${webhook.publicUrl}${webhookPath(webhook.owner)}`, webhook_events_filter: ['start' as const, 'completed' as const] }
    : {};
  const adoption = createAdoption(options.claims ?? localClaims(), clock, log);
  const expectedMs = (duration: number): number =>
    options.times?.history.median(duration) ?? options.defaultExpectedMs ?? 300_000;

  async function learn(duration: number, observedMs: number): Promise<void> {
    const times = options.times;
    if (!times) return;
    times.history.record(duration, observedMs);
    await times.save(times.history.toSamples()).catch((err: unknown) => log.warn({ err }, 'could not save the generation times'));
  }

  /** One line per retry; a refused token or missing credit is the operator's to fix, so it is logged as an error. */
  const logRetry = (callLog: Logger, what: string) => (info: RetryInfo) => {
    options.metrics?.apiError('replicate', failureLabel(info.failure));
    options.metrics?.apiRetry('replicate', what);
    const fields = { err: info.err, attempt: info.attempt, delayMs: info.delayMs };
    if (isOperatorRefusal(info.failure)) {
      callLog.error(
        { ...fields, status: info.failure.kind === 'refused' ? info.failure.status : undefined, fix: operatorFix },
        `${what} refused: replicate does not accept the bot's token or credit, retrying`,
      );
    } else {
      callLog.warn(fields, `${what} failed, retrying`);
    }
  };

  function failure(err: unknown, what: string): JobFailure {
    if (err instanceof JobFailure) return err;
    const kind = classify(err, clock.now());
    options.metrics?.apiError('replicate', failureLabel(kind));
    if (kind.kind === 'refused' && kind.status === 422) {
      const fields = kind.body?.invalid_fields?.map((f) => f.description).filter(Boolean) ?? [];
      const detail = fields.length > 0 ? fields.join('; ') : (kind.body?.detail ?? 'invalid input').replace(/^- /, '').trim();
      return new JobFailure(`Replicate did not accept the video settings: ${detail}.`, { cause: err });
    }
    const advice = kind.kind === 'refused' ? 'Please tell the bot operator.' : 'Please try again later.';
    return new JobFailure(`Replicate could not ${what} (${shortReason(kind)}). ${advice}`, { cause: err });
  }

  async function uploadImage(job: Job, image: StartImage, jobLog: Logger, signal?: AbortSignal): Promise<string> {
    const file = new File([new Uint8Array(image.bytes)], image.filename, { type: image.mimeType });
    // A repeated upload after a lost answer leaves a spare file at Replicate: harmless, unlike a second prediction.
    const uploaded = await withRetry(() => client.files.create(file, { jobId: job.id }, { signal }), {
      clock, policy, signal, onRetry: logRetry(jobLog, 'image upload'),
    });
    jobLog.info({ fileId: uploaded.id, size: uploaded.size }, 'start image uploaded');
    return uploaded.urls.get;
  }

  /**
   * Sends the create, never blindly twice: once an attempt was ambiguous (Replicate may have made the prediction
   * without our hearing of it), the prediction is looked for before every further attempt and before giving up.
   * A 429 or a refused token says nothing was made, but does not clear an earlier ambiguity. Runs as the only
   * create for this input account-wide, and the prediction is claimed for the job before it returns.
   */
  async function createOnce(job: Job, input: Record<string, unknown>, jobLog: Logger, signal?: AbortSignal): Promise<PredictionSnapshot> {
    let ambiguous = false;
    const adoptIfMade = async (): Promise<PredictionSnapshot | undefined> => {
      if (!ambiguous) return undefined;
      const found = await lookFor(job, findLogOf(job), signal);
      if (found) jobLog.info({ predictionId: found.id }, 'prediction adopted after an ambiguous create');
      return found;
    };
    for (let attempt = 1; ; attempt++) {
      const adopted = await adoptIfMade();
      if (adopted) return adopted;
      try {
        const name = modelOf(job);
        const target = options.models?.createTarget(name) ?? { model: name as `${string}/${string}` };
        const created = toSnapshot(await client.predictions.create({ ...target, input, signal, ...webhookFields }));
        if (await adoption.claim(created.id, job.id, signal)) {
          webhook?.inbox.expect(created.id, true);
          return created;
        }
        // Only when this job's hold on its input lapsed (a stalled process): another job with the same input
        // adopted it. Look for one of ours, or create again: one prediction each.
        jobLog.warn({ predictionId: created.id }, 'created prediction already adopted by another job');
        ambiguous = true;
        continue;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const kind = classify(err, clock.now());
        if (isAmbiguous(kind)) ambiguous = true;
        // The model may have changed under its name (reference/models.md §5): its schema is read again at once.
        if (kind.kind === 'refused' && kind.status === 422) void options.models?.refresh(modelOf(job));
        const delayMs = retryDelayMs(kind, attempt, policy);
        if (delayMs === undefined) {
          const found = await adoptIfMade();
          if (found) return found;
          throw err;
        }
        logRetry(jobLog, 'prediction create')({ err, failure: kind, attempt, delayMs });
        await clock.sleep(delayMs, signal);
      }
    }
  }

  const findLogOf = (job: Job) => log.child({ jobId: job.id });

  const modelOf = (job: Job): string => modelOfRequest(job.request, model);

  /**
   * What is sent for the job: its request under its model's field names. The default model whose schema was never
   * read is sent the mapping it always had (byte for byte the same as by its roles). A request that no longer fits
   * (the model left the catalogue, or its schema changed since the job was accepted) fails the job in plain words.
   */
  function inputOf(job: Job, firstFrame?: string): { input: Record<string, unknown>; imageField: string } {
    const name = modelOf(job);
    const roles = options.models?.get?.(name)?.roles;
    if (!roles) {
      if (name !== model) throw new JobFailure(`The model ${name} is not offered by this bot any more. Please pick another one.`);
      return { input: defaultModelInput(job.request, firstFrame), imageField: 'start_image' };
    }
    const mapped = requestInput(job.request, roles, firstFrame);
    if (!mapped.ok) throw new JobFailure(renderModelRefusal(mapped.refusal));
    return { input: mapped.input, imageField: firstFrameField(roles) };
  }

  /** The input a create for `job` sent, without its image (a URL the look-up cannot know), and the image's field. */
  function expectedOf(job: Job): { input: Record<string, unknown>; imageField: string } {
    const { input, imageField } = inputOf(job, job.image ? 'https://replicate.invalid/the-uploaded-image' : undefined);
    const { [imageField]: _image, ...rest } = input;
    return { input: rest, imageField };
  }

  /** The job's prediction at Replicate, claimed for it; the caller holds the job's input (adoption.exclusive). */
  async function lookFor(job: Job, findLog: Logger, signal?: AbortSignal): Promise<PredictionSnapshot | undefined> {
    const found = await findCreatedPrediction(
      {
        client,
        model: modelOf(job),
        expected: expectedOf(job),
        clock,
        policy,
        onRetry: logRetry(findLog, 'looking for the created prediction'),
        claim: (predictionId) => adoption.claim(predictionId, job.id, signal),
      },
      job,
      signal,
    );
    return found && toSnapshot(found);
  }

  const runner: PredictionRunner = {
    async create(job, image, signal) {
      const jobLog = log.child({ jobId: job.id });
      try {
        const imageUrl = image ? await uploadImage(job, image, jobLog, signal) : undefined;
        const { input } = inputOf(job, imageUrl);
        return await adoption.exclusive(modelOf(job), job, () => createOnce(job, input, jobLog, signal), signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const jobFailure = failure(err, 'start the video');
        jobLog.warn({ err }, 'prediction create gave up');
        throw jobFailure;
      }
    },

    async findCreated(job, signal) {
      const findLog = findLogOf(job);
      try {
        return await adoption.exclusive(modelOf(job), job, () => lookFor(job, findLog, signal), signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        findLog.warn({ err }, 'looking for the created prediction gave up');
        throw failure(err, 'find the video it started');
      }
    },

    async waitForEnd(predictionId, { signal, startedAt, onUpdate, seconds = 5 }) {
      const begin = startedAt ?? clock.now();
      const expected = expectedMs(seconds);
      const pollLog = log.child({ predictionId });
      const onRetry = logRetry(pollLog, 'prediction poll');
      const inbox = webhook?.inbox;
      // Made here since the start: its webhooks come here, so the first poll waits. Otherwise (recovered after a
      // restart, adopted) webhooks may have been missed while the bot was down: poll at once.
      const createdHere = inbox?.createdHere(predictionId) ?? false;
      inbox?.expect(predictionId, false);
      const nextDelay = () => (inbox ? safetyPollMs : nextPollDelay(clock.now() - begin, expected, baseMs));
      let last: string | undefined;
      let failures = 0;
      let notFound = 0;
      /** A poll's answer or a verified webhook's prediction, one code path: the snapshot when it is the end. */
      const observe = async (prediction: Prediction, via: 'poll' | 'webhook'): Promise<PredictionSnapshot | undefined> => {
        const snapshot = toSnapshot(prediction);
        // Deliveries may come out of order: a status never goes back.
        if (last !== undefined && rank(snapshot.status) < rank(last)) return undefined;
        if (snapshot.status !== last) {
          last = snapshot.status;
          onUpdate?.(snapshot);
        }
        if (!isTerminalStatus(snapshot.status)) return undefined;
        pollLog.info({ status: snapshot.status, via }, 'prediction ended');
        if (snapshot.status === 'succeeded') await learn(seconds, generationMs(prediction) ?? clock.now() - begin);
        return snapshot;
      };
      try {
        for (let delay = inbox && createdHere ? safetyPollMs : 0; ; ) {
          if (inbox) {
            const delivered = await inbox.next(predictionId, delay, signal);
            if (delivered) {
              const end = await observe(delivered, 'webhook');
              if (end) return end;
              delay = safetyPollMs;
              continue;
            }
          } else if (delay > 0) {
            await clock.sleep(delay, signal);
          }
          try {
            const get = () => client.predictions.get(predictionId, { signal });
            const prediction = await (options.prioritize ? options.prioritize(begin + expected, get) : get());
            failures = 0;
            notFound = 0;
            const end = await observe(prediction, 'poll');
            if (end) return end;
            delay = nextDelay();
          } catch (err) {
            if (signal?.aborted) throw signal.reason;
            failures += 1;
            const kind = classify(err, clock.now());
            // Only Replicate saying it has no such prediction ends the wait: its output can never be had. Any other
            // failure is ours or passing, and the prediction may still succeed: keep asking, however long it takes.
            notFound = isGone(kind) ? notFound + 1 : 0;
            if (notFound >= goneConfirmations) {
              pollLog.warn({ err }, 'prediction gone at replicate');
              throw new JobFailure(predictionGoneReason, { cause: err });
            }
            const wait = retryDelayMs(kind, failures, policy) ?? backoffMs(failures, policy);
            delay = Math.max(wait, nextDelay());
            onRetry({ err, failure: kind, attempt: failures, delayMs: delay });
          }
        }
      } finally {
        inbox?.forget(predictionId);
      }
    },

    async cancel(predictionId) {
      const cancelLog = log.child({ predictionId });
      webhook?.inbox.forget(predictionId);
      try {
        await withRetry(() => client.predictions.cancel(predictionId), {
          clock,
          policy: { ...policy, maxRetryAfterMs: Math.min(policy.maxRetryAfterMs, cancelMaxWaitMs) },
          attempts: cancelAttempts,
          final: isOperatorRefusal,
          onRetry: logRetry(cancelLog, 'prediction cancel'),
        });
        cancelLog.info('prediction canceled');
      } catch (err) {
        if (isGone(classify(err, clock.now()))) {
          cancelLog.info('prediction to cancel is gone at replicate');
          return;
        }
        cancelLog.warn({ err }, 'prediction cancel gave up');
        throw failure(err, 'cancel the video');
      }
    },
  };
  return runner;
}

const operatorFix = "check REPLICATE_API_TOKEN and the Replicate account's credit; jobs wait meanwhile and carry on once it is fixed";

/** The `kind` label of a failed Replicate call: its HTTP status, or 'network' / 'other' without one. */
function failureLabel(failure: Failure): string {
  return 'status' in failure ? String(failure.status) : failure.kind;
}
