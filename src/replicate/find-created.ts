import type Replicate from 'replicate';
import type { Page, Prediction } from 'replicate';
import type { Clock } from '../clock.js';
import type { Job } from '../queue/job.js';
import { isApiError } from './api-error.js';
import { withRetry, type RetryOptions, type RetryPolicy } from './retry.js';

/** Replicate's clock and ours may disagree a little; predictions this much older than the marker still count. */
export const createdSlackMs = 60_000;

export interface FindCreatedDeps {
  client: Replicate;
  model: string;
  /** The job's input as its create sent it, without the image, and the field the model takes the image in. */
  expected: { input: Record<string, unknown>; imageField: string };
  clock: Clock;
  policy: RetryPolicy;
  onRetry?: RetryOptions['onRetry'];
  /**
   * Records the prediction as the job's; false when another job holds it already (first claimer wins). A job's
   * own earlier claim answers true.
   */
  claim(predictionId: string): Promise<boolean>;
}

/**
 * Finds the prediction an earlier create for `job` made, reading the newest two pages of `GET /predictions`.
 *
 * Matching rule: the job's model; created no earlier than `job.createStartedAt` (else `createdAt`) minus 60 s; the same
 * prompt and the same options as its create sent (`deps.expected`; unset options absent); a start image exactly when the job has
 * one, and when it is a Replicate file, that file's metadata names this job (we upload with `{ jobId }`); not held
 * by another job (see adoption.ts). The earliest match is claimed for the job and wins: identical text-only requests
 * (Regenerate) are told apart by which job holds which prediction, so each ends with its own.
 *
 * Every read is retried through faults (429, 5xx, network) for as long as it takes, until `signal` aborts: an
 * outage must not pass for "nothing was created".
 *
 * Limits: predictions lose their input an hour after they end (`data_removed`) and then never match; anything
 * older than the first two pages (200 predictions on this token) is not seen. A prediction whose job never claimed
 * it (its process died between the create's answer and the claim) may be adopted by another job with the same
 * request; that job's own prediction, if made, is then left for the first one: still one each.
 */
export async function findCreatedPrediction(deps: FindCreatedDeps, job: Job, signal?: AbortSignal): Promise<Prediction | undefined> {
  const { client, clock, policy, onRetry } = deps;
  const cutoff = (job.createStartedAt ?? job.createdAt) - createdSlackMs;
  const { input: expected, imageField } = deps.expected;
  const retried = <T>(call: () => Promise<T>) => withRetry(call, { clock, policy, signal, ...(onRetry ? { onRetry } : {}) });

  const candidates: Prediction[] = [];
  let page: Page<Prediction> = await retried(() => client.predictions.list({ signal }));
  for (let pages = 1; ; pages++) {
    const recent = page.results.filter((p) => Date.parse(p.created_at) >= cutoff);
    for (const listed of recent.filter((p) => p.model === deps.model)) {
      // The list may leave out inputs (the API reference does not promise them there): read those one by one.
      const full = listed.input === undefined ? await retried(() => client.predictions.get(listed.id)) : listed;
      if (sameRequest(full.input, expected, imageField, job.image !== undefined)) candidates.push(full);
    }
    const next = page.next;
    if (!next || pages >= 2 || recent.length < page.results.length) break;
    page = await retried(async () => (await client.request(next, { method: 'GET', signal })).json() as Promise<Page<Prediction>>);
  }
  candidates.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const candidate of candidates) {
    if ((await imageBelongsTo(deps, candidate, job, imageField, retried)) && (await deps.claim(candidate.id))) return candidate;
  }
  return undefined;
}

function sameRequest(input: unknown, expected: Record<string, unknown>, imageField: string, withImage: boolean): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const { [imageField]: image, ...rest } = input as Record<string, unknown>;
  if ((typeof image === 'string') !== withImage) return false;
  const keys = new Set([...Object.keys(rest), ...Object.keys(expected)]);
  return [...keys].every((key) => rest[key] === expected[key]);
}

async function imageBelongsTo(
  deps: FindCreatedDeps,
  prediction: Prediction,
  job: Job,
  imageField: string,
  retried: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<boolean> {
  const image = (prediction.input as Record<string, unknown>)[imageField];
  const filesPrefix = `${deps.client.baseUrl ?? 'https://api.replicate.com/v1'}/files/`;
  if (typeof image !== 'string' || !image.startsWith(filesPrefix)) return true;
  const fileId = image.slice(filesPrefix.length).split('/')[0] ?? '';
  try {
    const file = await retried(() => deps.client.files.get(fileId));
    return file.metadata.jobId === job.id;
  } catch (err) {
    if (isApiError(err) && err.response.status === 404) return false;
    throw err;
  }
}
