import type { KeyvStoreAdapter } from 'keyv';

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

export interface LeaseClaim {
  owner: string;
  me: LeaseHolder;
  ttlMs: number;
  /** The caller's clock (epoch ms): SQL backends store the expiry on it; Redis expires the key itself. */
  now: number;
  replacing?: LeaseHolder;
}

export interface LeaseState {
  holder: LeaseHolder;
  /** Time left before the holder's lease expires, when known. */
  expiresInMs?: number;
}

/** The lease record as stored: the same JSON in every backend, keys in this order (Redis compares it as a string). */
export function encodeHolder(holder: LeaseHolder): string {
  return JSON.stringify({ holder: holder.holder, host: holder.host, pid: holder.pid });
}

export function decodeHolder(text: string): LeaseHolder {
  const value = JSON.parse(text) as Partial<LeaseHolder>;
  return { holder: String(value.holder), host: String(value.host), pid: Number(value.pid) };
}
