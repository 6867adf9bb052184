import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import type { Backend, LeaseHolder } from './backend.js';
import { StoreError, describeStoreError } from './store-error.js';

export interface LeaseOptions {
  clock: Clock;
  /** How long a lease outlives its last renewal, in ms (default 30 000): a crashed holder elsewhere blocks this long. */
  ttlMs?: number;
  /** Renewal period in ms (default a third of the TTL, so two renewals can fail before it expires). */
  renewEveryMs?: number;
  /**
   * How recent the last confirmation must be for `fresh()` to answer at once, in ms (default half the TTL): the
   * other half is the margin for a request let through to reach Discord or Replicate before another process could
   * take the lease over.
   */
  freshWithinMs?: number;
  /** Someone else holds the lease now (this process was paused or cut off past the TTL): stop working. */
  onLost(holder: LeaseHolder): void;
}

export interface Lease {
  readonly holder: LeaseHolder;
  /** This grant's fencing token: the store refuses the owner's writes made with it once another grant exists. */
  readonly token: number;
  /**
   * Resolves once the store confirmed the lease within `freshWithinMs` (counted from when the confirming claim was
   * sent), renewing at once when it was not; waits while the store cannot be reached. Rejects with a `fenced`
   * StoreError once another process holds the lease. Discord and Replicate cannot check a token: they are talked
   * to only after this resolved.
   */
  fresh(): Promise<void>;
  /** Renews now (a write was refused as fenced: this tells onLost of the new holder); resolves when done. */
  confirm(): Promise<void>;
  /** Stops renewing and gives the lease up at once, so the next process need not wait for the TTL. */
  release(): Promise<void>;
}

export const defaultLeaseTtlMs = 30_000;

/**
 * One process per owner on a store: the owner's lease is claimed at open and renewed on a timer. A holder on this
 * host whose pid is gone is provably dead and loses the lease at once; any other holder keeps it until it expires
 * (by the store's clock).
 */
export async function acquireLease(backend: Backend, owner: string, options: LeaseOptions, log: Logger): Promise<Lease> {
  const { clock, ttlMs = defaultLeaseTtlMs, onLost } = options;
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3);
  const freshWithinMs = options.freshWithinMs ?? Math.floor(ttlMs / 2);
  const me: LeaseHolder = { holder: randomUUID(), host: hostname(), pid: process.pid };
  const claim = (replacing?: LeaseHolder) => backend.claimLease({ owner, me, ttlMs, replacing });

  let confirmedAt = clock.now();
  let state = await claim();
  if (state.holder.holder !== me.holder && isProvablyDead(state.holder)) {
    log.warn({ owner, host: state.holder.host, pid: state.holder.pid }, 'taking over the lease of a bot process that is gone');
    confirmedAt = clock.now();
    state = await claim(state.holder);
  }
  if (state.holder.holder !== me.holder || state.token === undefined) {
    const { host, pid } = state.holder;
    const wait = state.expiresInMs === undefined ? '' : `, or if it crashed, start again in ${Math.ceil(state.expiresInMs / 1000)} s`;
    throw new StoreError(
      `another bot process already runs as '${owner}' on the store at ${backend.where} (pid ${pid} on host ${host}); stop it first${wait}`,
    );
  }
  const token = state.token;

  let timer: Timer | undefined;
  let renewing: Promise<void> | undefined;
  let lastFailed = false;
  let stopped = false;
  let lost: StoreError | undefined;
  const waiters: (() => void)[] = [];
  const schedule = () => {
    if (!stopped) timer = clock.setTimer(renewEveryMs, () => void renewNow());
  };
  const renew = async () => {
    const sentAt = clock.now();
    try {
      const now = await claim();
      lastFailed = false;
      if (stopped) return;
      if (now.holder.holder !== me.holder) {
        stopped = true;
        lost = new StoreError(`another bot process (pid ${now.holder.pid} on host ${now.holder.host}) took over the store lease of '${owner}'`, {
          kind: 'fenced',
        });
        log.error({ owner, host: now.holder.host, pid: now.holder.pid }, 'another bot process took over the store lease');
        onLost(now.holder);
        return;
      }
      confirmedAt = sentAt;
    } catch (err) {
      lastFailed = true;
      log.warn({ owner, reason: describeStoreError(err) }, 'store lease renewal failed; trying again');
    }
    schedule();
  };
  /** One renewal at a time; the timer's next one is scheduled when it ends. */
  const renewNow = (): Promise<void> => {
    if (renewing) return renewing;
    if (stopped) return Promise.resolve();
    timer?.cancel();
    renewing = renew().finally(() => {
      renewing = undefined;
      for (const wake of waiters.splice(0)) wake();
    });
    return renewing;
  };
  schedule();

  return {
    holder: me,
    token,
    async fresh() {
      for (;;) {
        if (lost) throw lost;
        if (clock.now() - confirmedAt <= freshWithinMs) return;
        if (stopped) throw new StoreError(`the store lease of '${owner}' was given up`, { kind: 'fenced' });
        // After a failed renewal the timer tries again; until one succeeds nothing is let through.
        const next = new Promise<void>((resolve) => waiters.push(resolve));
        if (!lastFailed) void renewNow();
        await next;
      }
    },
    confirm: renewNow,
    async release() {
      if (stopped) return;
      stopped = true;
      timer?.cancel();
      await renewing;
      for (const wake of waiters.splice(0)) wake();
      await backend.releaseLease(owner, me).catch((err: unknown) => {
        log.warn({ owner, reason: describeStoreError(err) }, `could not release the store lease; it expires in ${ttlMs / 1000} s`);
      });
    },
  };
}

/** Same host and no such process: the holder cannot be running. (EPERM means it runs under another user.) */
export function isProvablyDead(holder: LeaseHolder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
