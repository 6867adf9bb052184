/**
 * Named claims shared by every process on the store: whoever claims a free key first holds it, until it expires or
 * its holder releases it. keyv has no set-if-absent, so each backend does this with its own client, atomically.
 * Uses: a prediction adopted by one job only (replicate/adoption.ts), and one create at a time per model input.
 */
export interface ClaimStore {
  /**
   * In one atomic step: gives `key` to `holder` for `ttlMs` when nobody holds it (never claimed, released or
   * expired) or `holder` does already (its expiry is then extended). Answers the holder afterwards: `holder` when
   * it won, else the one who got there first.
   */
  claim(claim: Claim): Promise<string>;
  /** Frees `key` where `holder` still holds it; anyone else's claim is left alone. */
  release(key: string, holder: string): Promise<void>;
}

export interface Claim {
  key: string;
  holder: string;
  ttlMs: number;
  /** The caller's clock (epoch ms): SQL backends store the expiry on it; Redis expires the key itself. */
  now: number;
}
