import type { Logger } from 'pino';
import type Replicate from 'replicate';
import type { Clock } from '../clock.js';
import type { Job } from '../queue/job.js';
import { JobFailure, type PredictionRunner, type StartImage } from '../queue/ports.js';
import { classify, shortReason, type Failure } from './api-error.js';
import { findCreatedPrediction } from './find-created.js';
import { toModelInput } from './input.js';
import { learnExpected, nextPollDelay } from './poll-schedule.js';
import { defaultRetryPolicy, retryDelayMs, withRetry, type RetryPolicy } from './retry.js';
import { generationMs, isTerminalStatus, toSnapshot } from './snapshot.js';

export const klingModel = 'kwaivgi/kling-v1.6-standard';

/** Where the learned generation time lives between runs (the caller backs it with the store's meta values). */
export interface DurationStore {
  load(): Promise<number | undefined>;
  save(ms: number): Promise<void>;
}

export interface PredictionRunnerOptions {
  /** A client from createReplicateClient (its own retries are off). */
  client: Replicate;
  /** Default kwaivgi/kling-v1.6-standard. */
  model?: `${string}/${string}`;
  clock: Clock;
  log: Logger;
  /** REPLICATE_POLL_INTERVAL_MS: the base of the adaptive poll schedule (default 5000). */
  pollIntervalMs?: number;
  durations?: DurationStore;
  /** Generation time assumed until one was learned (default 300 000 ms: a typical 5-second clip). */
  defaultExpectedMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Failed polls in a row before the job fails (default 30: minutes of outage at the backoff cap). */
  maxPollFailures?: number;
}

export function createPredictionRunner(options: PredictionRunnerOptions): PredictionRunner {
  const { client, clock, log } = options;
  const model = options.model ?? klingModel;
  const baseMs = options.pollIntervalMs ?? 5_000;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const maxPollFailures = options.maxPollFailures ?? 30;
  let learned: Promise<number | undefined> | undefined;

  async function expectedMs(): Promise<number> {
    learned ??= (options.durations?.load() ?? Promise.resolve(undefined)).catch(() => undefined);
    return (await learned) ?? options.defaultExpectedMs ?? 300_000;
  }

  async function learn(observedMs: number): Promise<void> {
    const next = learnExpected(await learned, observedMs);
    learned = Promise.resolve(next);
    await options.durations?.save(next).catch((err: unknown) => log.warn({ err }, 'could not save the learned generation time'));
  }

  const onRetry = (jobLog: Logger, what: string) => (info: { err: unknown; attempt: number; delayMs: number }) =>
    jobLog.warn({ err: info.err, attempt: info.attempt, delayMs: info.delayMs }, `${what} failed, retrying`);

  function failure(err: unknown, what: string): JobFailure {
    if (err instanceof JobFailure) return err;
    const kind = classify(err, clock.now());
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
    const uploaded = await withRetry(() => client.files.create(file, { jobId: job.id }, { signal }), {
      clock, policy, signal, onRetry: onRetry(jobLog, 'image upload'),
    });
    jobLog.info({ fileId: uploaded.id, size: uploaded.size }, 'start image uploaded');
    return uploaded.urls.get;
  }

  const runner: PredictionRunner = {
    async create(job, image, signal) {
      const jobLog = log.child({ jobId: job.id });
      try {
        const imageUrl = image ? await uploadImage(job, image, jobLog, signal) : undefined;
        const input = toModelInput(job.request, imageUrl);
        const snapshot = await withRetry(async () => toSnapshot(await client.predictions.create({ model, input, signal })), {
          clock, policy, signal, onRetry: onRetry(jobLog, 'prediction create'),
          // A 5xx or a lost connection may hide a prediction Replicate did make: adopt it rather than create twice.
          beforeRetry: async (f: Failure) => {
            if (f.kind !== 'server' && f.kind !== 'network') return undefined;
            const found = await runner.findCreated(job, signal);
            if (found) jobLog.info({ predictionId: found.id }, 'prediction adopted after an ambiguous create');
            return found;
          },
        });
        return snapshot;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const jobFailure = failure(err, 'start the video');
        jobLog.warn({ err }, 'prediction create gave up');
        throw jobFailure;
      }
    },

    async findCreated(job, signal) {
      const found = await findCreatedPrediction({ client, model, clock, policy }, job, signal);
      return found && toSnapshot(found);
    },

    async waitForEnd(predictionId, { signal, startedAt, onUpdate }) {
      const begin = startedAt ?? clock.now();
      const expected = await expectedMs();
      const pollLog = log.child({ predictionId });
      let last: string | undefined;
      let failures = 0;
      for (let delay = 0; ; ) {
        if (delay > 0) await clock.sleep(delay, signal);
        try {
          const prediction = await client.predictions.get(predictionId, { signal });
          failures = 0;
          const snapshot = toSnapshot(prediction);
          if (snapshot.status !== last) {
            last = snapshot.status;
            onUpdate?.(snapshot);
          }
          if (isTerminalStatus(snapshot.status)) {
            pollLog.info({ status: snapshot.status }, 'prediction ended');
            if (snapshot.status === 'succeeded') await learn(generationMs(prediction) ?? clock.now() - begin);
            return snapshot;
          }
          delay = nextPollDelay(clock.now() - begin, expected, baseMs);
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          failures += 1;
          const kind = classify(err, clock.now());
          const wait = retryDelayMs(kind, failures, policy);
          if (wait === undefined || failures >= maxPollFailures) {
            pollLog.warn({ err, failures }, 'prediction poll gave up');
            throw failure(err, 'report on the video');
          }
          pollLog.warn({ err, failures, delayMs: wait }, 'prediction poll failed, retrying');
          delay = Math.max(wait, nextPollDelay(clock.now() - begin, expected, baseMs));
        }
      }
    },

    async cancel(predictionId) {
      try {
        await withRetry(() => client.predictions.cancel(predictionId), {
          clock, policy, onRetry: onRetry(log.child({ predictionId }), 'prediction cancel'),
        });
        log.info({ predictionId }, 'prediction canceled');
      } catch (err) {
        log.warn({ err, predictionId }, 'prediction cancel gave up');
        throw failure(err, 'cancel the video');
      }
    },
  };
  return runner;
}
