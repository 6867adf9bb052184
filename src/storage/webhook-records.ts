import type { MetaStore } from './guild-records.js';

/** Store calls the records need: named values, with a time to live. */
export type ExpiringMetaStore = MetaStore & { setMeta<T>(key: string, value: T, ttlMs?: number): Promise<void> };

/**
 * The `webhook-id`s of Replicate webhooks already taken, kept through the store's named values so a restart does
 * not accept a replay:
 *   webhook-id:<id>   the time it was first taken (epoch ms); expires after `ttlMs`
 * A signed webhook older than 5 minutes is refused as stale anyway, so an id needs keeping only a little longer
 * than that; the default hour is a wide margin.
 */
export class WebhookRecords {
  /** Ids being claimed right now: two deliveries of one id at once are decided in this process, not by a race. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: ExpiringMetaStore,
    private readonly ttlMs = 60 * 60_000,
  ) {}

  /**
   * Marks `id` as taken. Resolves true for its first delivery, false for a replay. A store that fails rejects
   * (the caller decides; the webhook was already verified).
   */
  async claim(id: string, now: number): Promise<boolean> {
    if (this.inFlight.has(id)) return false;
    this.inFlight.add(id);
    try {
      const key = `webhook-id:${id}`;
      if ((await this.store.getMeta<number>(key)) !== undefined) return false;
      await this.store.setMeta(key, now, this.ttlMs);
      return true;
    } finally {
      // Kept a while after: a second delivery racing the write still reads it from the store once it lands.
      setTimeout(() => this.inFlight.delete(id), 60_000).unref();
    }
  }
}
