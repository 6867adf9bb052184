import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { TokenTake } from '../storage/backend.js';
import { describeStoreError } from '../storage/store-error.js';

/** Replicate's two limits: creating a prediction, and every other endpoint. */
export type RequestKind = 'create' | 'other';

/** Replicate's published limits per minute, for the whole account. */
export const replicateLimitsPerMinute: Record<RequestKind, number> = { create: 600, other: 3_000 };

export interface RequestBudgetOptions {
  /** The store's atomic window counter, shared by every process (Store.coordination.takeTokens). */
  takeTokens(take: TokenTake): Promise<number>;
  clock: Clock;
  log: Logger;
  /** Per-minute limits (default Replicate's 600 creates and 3,000 others). */
  limitsPerMinute?: Record<RequestKind, number>;
  /** The part of each limit the bot uses (default 0.9): headroom for clock skew and the operator's own calls. */
  share?: number;
  /** Length of one counting window, in ms (default 5 000). */
  windowMs?: number;
  /** Tokens taken from the store at once, at most (default 3 creates, 20 others). */
  batch?: Record<RequestKind, number>;
  /** While the store cannot be reached: the part of a window's tokens this process grants itself (default 0.25). */
  outageShare?: number;
  /** The counters' name in the store (default `replicate`; tests use their own). */
  name?: string;
}

export interface RequestBudget {
  /**
   * Waits for one token of `kind`, never failing (only `signal` ends the wait). Waiters go in priority order, lower
   * first, then first come: polls carry their prediction's expected end, so the one soonest expected to finish goes
   * first; other requests carry none (0) and go before polls.
   */
  take(kind: RequestKind, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` with `priority` for the requests it makes (see take). */
  withPriority<T>(priority: number, fn: () => Promise<T>): Promise<T>;
  /** How many wait now, per kind. */
  waiting(kind: RequestKind): number;
}

/** `POST …/predictions` (a model's, a deployment's or by version) creates a prediction; everything else is "other". */
export function kindOf(url: string, method = 'GET'): RequestKind {
  return method.toUpperCase() === 'POST' && /\/predictions\/?$/.test(new URL(url).pathname) ? 'create' : 'other';
}

interface Waiter {
  priority: number;
  seq: number;
  resolve(): void;
}

/**
 * Replicate's request limits, account-wide. Time is cut into fixed windows (5 s); each window grants
 * `share × limit × window / minute` tokens of a kind across every process on the store (225 others and 45 creates).
 * Any 60 s span meets at most 13 such windows, so even counted as a sliding minute the account stays under the
 * limit (2,925 of 3,000; 585 of 600). A process takes tokens in small batches, so most requests never touch the
 * store; tokens left at a window's end lapse. When a window is spent, requests wait for the next one.
 */
export function createRequestBudget(options: RequestBudgetOptions): RequestBudget {
  const { clock, log } = options;
  const windowMs = options.windowMs ?? 5_000;
  const share = options.share ?? 0.9;
  const limits = options.limitsPerMinute ?? replicateLimitsPerMinute;
  const batch = options.batch ?? { create: 3, other: 20 };
  const outageShare = options.outageShare ?? 0.25;
  const name = options.name ?? 'replicate';
  const priorities = new AsyncLocalStorage<number>();
  const perWindow = (kind: RequestKind) => Math.max(1, Math.floor((share * limits[kind] * windowMs) / 60_000));
  const buckets = { create: bucket('create'), other: bucket('other') };
  let storeDown = false;

  function bucket(kind: RequestKind) {
    const waiters: Waiter[] = [];
    let window = -1;
    let tokens = 0;
    let spent = false;
    let outageUsed = 0;
    /** Tokens this process used in the window before, and so far in this one: the batch follows the pace. */
    let usedBefore = 0;
    let usedNow = 0;
    let draining = false;
    let seq = 0;

    async function refill(): Promise<void> {
      const limit = perWindow(kind);
      // Enough for the waiting and a tenth of the last window's pace, so a busy process asks about ten times a window.
      const count = Math.min(batch[kind], Math.max(1, waiters.length, Math.ceil(usedBefore / 10)));
      try {
        const granted = await options.takeTokens({ bucket: `${name}:${kind}`, window, count, limit, ttlMs: 2 * windowMs });
        if (storeDown) log.info({ kind }, 'request budget reachable again');
        storeDown = false;
        tokens += granted;
        if (granted < count) spent = true;
      } catch (err) {
        if (!storeDown) log.warn({ kind, reason: describeStoreError(err) }, 'request budget not reachable; using a local share meanwhile');
        storeDown = true;
        const allowed = Math.max(1, Math.floor(limit * outageShare)) - outageUsed;
        const granted = Math.max(0, Math.min(count, allowed));
        outageUsed += granted;
        tokens += granted;
        if (granted < count) spent = true;
      }
    }

    async function drain(): Promise<void> {
      if (draining) return;
      draining = true;
      try {
        while (waiters.length > 0) {
          const current = Math.floor(clock.now() / windowMs);
          if (current !== window) {
            // Tokens are only good in the window that granted them.
            usedBefore = current === window + 1 ? usedNow : 0;
            usedNow = 0;
            window = current;
            tokens = 0;
            spent = false;
            outageUsed = 0;
          }
          if (tokens > 0) {
            tokens--;
            usedNow++;
            waiters.shift()!.resolve();
          } else if (!spent) {
            await refill();
          } else {
            await clock.sleep((window + 1) * windowMs - clock.now());
          }
        }
      } finally {
        draining = false;
      }
    }

    return {
      waiting: () => waiters.length,
      take(signal?: AbortSignal): Promise<void> {
        signal?.throwIfAborted();
        return new Promise<void>((resolve, reject) => {
          const priority = priorities.getStore() ?? 0;
          const waiter: Waiter = { priority, seq: seq++, resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          } };
          const onAbort = () => {
            const at = waiters.indexOf(waiter);
            if (at >= 0) waiters.splice(at, 1);
            reject(signal?.reason);
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          let at = waiters.length;
          while (at > 0 && waiters[at - 1]!.priority > priority) at--;
          waiters.splice(at, 0, waiter);
          void drain();
        });
      },
    };
  }

  return {
    take: (kind, signal) => buckets[kind].take(signal),
    withPriority: (priority, fn) => priorities.run(priority, fn),
    waiting: (kind) => buckets[kind].waiting(),
  };
}
