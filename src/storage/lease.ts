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
  /** Someone else holds the lease now (this process was paused or cut off past the TTL): stop working. */
  onLost(holder: LeaseHolder): void;
}

export interface Lease {
  readonly holder: LeaseHolder;
  /** Stops renewing and gives the lease up at once, so the next process need not wait for the TTL. */
  release(): Promise<void>;
}

export const defaultLeaseTtlMs = 30_000;

/**
 * One process per owner on a store: the owner's lease is claimed at open and renewed on a timer. A holder on this
 * host whose pid is gone is provably dead and loses the lease at once; any other holder keeps it until it expires.
 */
export async function acquireLease(backend: Backend, owner: string, options: LeaseOptions, log: Logger): Promise<Lease> {
  const { clock, ttlMs = defaultLeaseTtlMs, onLost } = options;
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3);
  const me: LeaseHolder = { holder: randomUUID(), host: hostname(), pid: process.pid };
  const claim = (replacing?: LeaseHolder) => backend.claimLease({ owner, me, ttlMs, now: clock.now(), replacing });

  let state = await claim();
  if (state.holder.holder !== me.holder && isProvablyDead(state.holder)) {
    log.warn({ owner, host: state.holder.host, pid: state.holder.pid }, 'taking over the lease of a bot process that is gone');
    state = await claim(state.holder);
  }
  if (state.holder.holder !== me.holder) {
    const { host, pid } = state.holder;
    const wait = state.expiresInMs === undefined ? '' : `, or if it crashed, start again in ${Math.ceil(state.expiresInMs / 1000)} s`;
    throw new StoreError(
      `another bot process already runs as '${owner}' on the store at ${backend.where} (pid ${pid} on host ${host}); stop it first${wait}`,
    );
  }

  let timer: Timer | undefined;
  let renewing: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (!stopped) timer = clock.setTimer(renewEveryMs, () => (renewing = renew()));
  };
  const renew = async () => {
    try {
      const now = await claim();
      if (stopped) return;
      if (now.holder.holder !== me.holder) {
        stopped = true;
        log.error({ owner, host: now.holder.host, pid: now.holder.pid }, 'another bot process took over the store lease');
        onLost(now.holder);
        return;
      }
    } catch (err) {
      log.warn({ owner, reason: describeStoreError(err) }, 'store lease renewal failed; trying again');
    }
    schedule();
  };
  schedule();

  return {
    holder: me,
    async release() {
      if (stopped) return;
      stopped = true;
      timer?.cancel();
      await renewing;
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
