import type { KeyvStoreAdapter } from 'keyv';
import type { ClaimStore } from './claims.js';

/**
 * One STORAGE_URL scheme: the keyv adapter the job store writes through, plus what keyv cannot do, done with the
 * adapter's own client (an atomic lease, pruning of expired rows, a check of the server's settings).
 * Every method rejects on a store error: nothing here reads a failure as "missing" or a refused write as done.
 */
export interface Backend {
  /** The store's address without credentials, for messages. */
  readonly where: string;
  readonly adapter: KeyvStoreAdapter;
  /**
   * In one atomic step: takes `owner`'s lease for `ttlMs` when nobody holds it, it expired, `me` holds it already
   * (a renewal), or `replacing` holds it (a holder proven dead). Answers who holds it afterwards.
   */
  claimLease(claim: LeaseClaim): Promise<LeaseState>;
  /** Gives the lease up if `me` still holds it; someone else's lease is left alone. */
  releaseLease(owner: string, me: LeaseHolder): Promise<void>;
  /**
   * `adapter` with every write (set, delete) checked against `fence` in the same atomic step: refused, with a
   * `fenced` StoreError, once `fence.owner`'s lease was granted again after `fence.token`. Reads are the adapter's.
   */
  fenced(fence: Fence): KeyvStoreAdapter;
  /** Account-wide prediction slots (see slot-pool.ts): each call is atomic on its own. */
  slots: SlotStore;
  /** Claims shared by every process on the store, first claimer wins (see claims.ts). */
  claims: ClaimStore;
  /** Account-wide request budget (see request-budget.ts). */
  takeTokens(take: TokenTake): Promise<number>;
  /** Deletes the rows keyv's TTL made dead by `now` (epoch ms, keyv's own time basis); answers how many. */
  pruneExpired(now: number): Promise<number>;
  /** Settings of the server that put stored jobs at risk, each as one warning sentence. */
  checkSettings(): Promise<string[]>;
  close(): Promise<void>;
}

/** Who runs under a lease: `holder` is unique per open store; host and pid say where, for people and dead-pid checks. */
export interface LeaseHolder {
  holder: string;
  host: string;
  pid: number;
}

/** Expiry is decided by the store's clock (Redis's own, SQL `now()`), never the claimer's: no `now` is passed. */
export interface LeaseClaim {
  owner: string;
  me: LeaseHolder;
  ttlMs: number;
  replacing?: LeaseHolder;
}

export interface LeaseState {
  holder: LeaseHolder;
  /** Time left before the holder's lease expires, when known. */
  expiresInMs?: number;
  /**
   * The fencing token, when `me` holds the lease: larger than that of any earlier grant of this owner's lease (a
   * renewal, or the same holder claiming again, keeps it). Writes carrying a smaller one are refused (see Fence).
   */
  token?: number;
}

/** An owner's writes made under its lease grant `token`: the store refuses them once a later grant exists. */
export interface Fence {
  owner: string;
  token: number;
}

/** The lease record as stored: the same JSON in every backend, keys in this order (Redis compares it as a string). */
export function encodeHolder(holder: LeaseHolder): string {
  return JSON.stringify({ holder: holder.holder, host: holder.host, pid: holder.pid });
}

export function decodeHolder(text: string): LeaseHolder {
  const value = JSON.parse(text) as Partial<LeaseHolder>;
  return { holder: String(value.holder), host: String(value.host), pid: Number(value.pid) };
}

/**
 * A pool of `cap` numbered slots shared by every process on the store. A slot is a lease: its holder renews it,
 * and once it expires (or is released) any process may take it. No call can make more than `cap` slots held.
 */
export interface SlotStore {
  /** Takes up to `count` free slots (never taken, released or expired) below `cap`; answers the numbers taken. */
  take(claim: SlotClaim & { count: number }): Promise<number[]>;
  /** Extends every slot `holder` still holds below `cap`; answers their numbers (a lost one is missing). */
  renew(claim: SlotClaim): Promise<number[]>;
  /** Frees these slots where `holder` still holds them. */
  release(pool: string, holder: string, slots: readonly number[]): Promise<void>;
  /** Records `holder`'s demand for `ttlMs`; answers every live demand in the pool, this one included. */
  reportDemand(report: SlotDemand & { pool: string; ttlMs: number; now: number }): Promise<SlotDemand[]>;
}

export interface SlotClaim {
  pool: string;
  /** Unique per process (a random id). */
  holder: string;
  cap: number;
  ttlMs: number;
  /** The caller's clock (epoch ms): SQL backends store expiries on it; Redis expires keys itself. */
  now: number;
}

/** What one process wants: slots in use plus jobs ready to start (`want`), and how many it holds (`held`). */
export interface SlotDemand {
  holder: string;
  want: number;
  held: number;
}

/**
 * `count` tokens of `bucket`'s fixed window number `window`, which grants at most `limit` in all (across processes).
 * Answers how many were granted (0 to `count`). The window's counter lives at least `ttlMs`.
 */
export interface TokenTake {
  bucket: string;
  window: number;
  count: number;
  limit: number;
  ttlMs: number;
}

/** Tokens granted when `used` is a window's count after adding `count` (a counter may run past its limit). */
export function grantedOf(used: number, count: number, limit: number): number {
  return Math.max(0, Math.min(count, limit - (used - count)));
}
