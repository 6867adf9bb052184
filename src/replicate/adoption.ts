import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import type { Job } from '../queue/job.js';
import type { ClaimStore } from '../storage/claims.js';
import { describeStoreError } from '../storage/store-error.js';
import { toModelInput } from './input.js';

/**
 * How long a prediction stays claimed by its job: far longer than it can match a look-up (Replicate removes its
 * input an hour after it ends).
 */
export const predictionClaimTtlMs = 7 * 24 * 60 * 60_000;
/** An input's create claim outlives a holder that stopped renewing it (a process that died mid-create) this long. */
export const inputClaimTtlMs = 120_000;
const inputRenewEveryMs = 30_000;
/** How often a job waiting for another job's create with the same input asks again. */
const inputWaitMs = 1_000;
const storeRetryMs = { first: 500, max: 10_000 };

/**
 * One prediction per job, and one job per prediction, across every process on the store (Store.coordination.claims):
 * - `claim` records a prediction as a job's (first claimer wins; a job's own earlier claim is still its own);
 * - `exclusive` runs one create or look-up at a time per model input, account-wide: two identical text-only
 *   requests (Regenerate) never create side by side, so while one's create is ambiguous the other does not create,
 *   and a prediction just made is claimed by its job before another job with the same input looks for one.
 * A store fault is retried until it passes (or `signal` aborts): a create is never sent unguarded.
 */
export interface Adoption {
  claim(predictionId: string, jobId: string, signal?: AbortSignal): Promise<boolean>;
  exclusive<T>(model: string, job: Job, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createAdoption(claims: ClaimStore, clock: Clock, log: Logger): Adoption {
  /** Inputs this process holds, per job, with how many calls hold each (a cancel's look-up may overlap a create). */
  const held = new Map<string, { count: number; renewal: Timer }>();
  let storeDown = false;

  async function stored<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await call();
        if (storeDown) log.info('prediction claims reachable again');
        storeDown = false;
        return result;
      } catch (err) {
        signal?.throwIfAborted();
        if (!storeDown) log.warn({ reason: describeStoreError(err) }, 'prediction claims not reachable; creates wait');
        storeDown = true;
        await clock.sleep(Math.min(storeRetryMs.first * 2 ** attempt, storeRetryMs.max), signal);
      }
    }
  }
  const take = (key: string, holder: string, ttlMs: number, signal?: AbortSignal) =>
    stored(() => claims.claim({ key, holder, ttlMs, now: clock.now() }), signal);

  /** Keeps renewing the input's claim while it is held: an ambiguous create may be looked for through a long outage. */
  function renewing(key: string, holder: string): Timer {
    let timer: Timer | undefined;
    const again = () => {
      timer = clock.setTimer(inputRenewEveryMs, () => {
        void claims.claim({ key, holder, ttlMs: inputClaimTtlMs, now: clock.now() }).then(
          (now) => void (now !== holder && log.warn({ jobId: holder, heldBy: now }, 'create claim lapsed')),
          () => undefined,
        );
        again();
      });
    };
    again();
    return { cancel: () => timer?.cancel() };
  }

  return {
    async claim(predictionId, jobId, signal) {
      return (await take(`prediction:${predictionId}`, jobId, predictionClaimTtlMs, signal)) === jobId;
    },

    async exclusive(model, job, fn, signal) {
      const key = inputKeyOf(model, job);
      if (!key) return fn();
      const mine = `${key} ${job.id}`;
      if (!held.has(mine)) {
        for (let waiting = false; ; waiting = true) {
          const holder = await take(key, job.id, inputClaimTtlMs, signal);
          if (holder === job.id) break;
          if (!waiting) log.info({ jobId: job.id, heldBy: holder }, 'waiting for a create with the same input');
          await clock.sleep(inputWaitMs, signal);
        }
      }
      const hold = held.get(mine) ?? { count: 0, renewal: renewing(key, job.id) };
      hold.count += 1;
      held.set(mine, hold);
      try {
        return await fn();
      } finally {
        hold.count -= 1;
        if (hold.count === 0) {
          held.delete(mine);
          hold.renewal.cancel();
          // A failed release lapses on its own after inputClaimTtlMs.
          await claims.release(key, job.id).catch(() => undefined);
        }
      }
    },
  };
}

/**
 * The claim key of a job's model input, or none for a job with a start image: its uploaded file's metadata names
 * the job, so no other job's prediction can match it.
 */
export function inputKeyOf(model: string, job: Job): string | undefined {
  if (job.image) return undefined;
  const digest = createHash('sha256').update(JSON.stringify([model, toModelInput(job.request)])).digest('hex');
  return `create-input:${digest}`;
}

/** Claims kept in this process only: for a runner with no store to share them through (tests). */
export function localClaims(): ClaimStore {
  const claims = new Map<string, { holder: string; expiresAt: number }>();
  return {
    claim({ key, holder, ttlMs, now }) {
      const current = claims.get(key);
      if (current && current.expiresAt > now && current.holder !== holder) return Promise.resolve(current.holder);
      claims.set(key, { holder, expiresAt: now + ttlMs });
      return Promise.resolve(holder);
    },
    release(key, holder) {
      if (claims.get(key)?.holder === holder) claims.delete(key);
      return Promise.resolve();
    },
  };
}
