import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { guildListKey } from './keys.js';
import type { MetaStore } from './guild-records.js';
import { isFenced } from './store-error.js';

export interface GuildIndexRetry {
  clock?: Clock;
  log?: Logger;
  /** First wait after a refused write of the list (default 250 ms); doubles per failure up to `maxDelayMs` (30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * The list of guilds an owner has records for: what a start reads to load each guild's settings and ledger, so a
 * guild missing from it has, after a restart, no settings and no usage as far as the bot knows.
 * - A guild counts as listed only once a write of the list that holds it has landed (`add` resolves then): a caller
 *   that reports "saved" after it knows a restart will find the guild.
 * - A refused write rejects the callers waiting for it and is tried again in the background, with capped backoff,
 *   until it lands or `stop()`; a later `add` of a guild not yet listed joins the next attempt.
 * - Writes are serialized and coalesced: each writes every guild wanted so far.
 */
export class GuildIndex {
  private wanted: Set<string> | undefined;
  private listed = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;
  private failures = 0;
  private retrying = false;
  private readonly stopper = new AbortController();
  private readonly clock: Clock;

  constructor(
    private readonly store: MetaStore,
    private readonly owner: string,
    private readonly owns: (guildId: string) => boolean,
    private readonly retry: GuildIndexRetry = {},
  ) {
    this.clock = retry.clock ?? systemClock;
  }

  /** The listed guilds (read once; a shard whose own list was never written starts from `main`'s, read only). */
  async guilds(): Promise<string[]> {
    if (!this.wanted) {
      const own = await this.store.getMeta<string[]>(guildListKey(this.owner));
      const listed = (own ?? (await this.store.getMeta<string[]>(guildListKey('main'))) ?? []).filter((id) => this.owns(id));
      if (!this.wanted) {
        this.wanted = new Set(listed);
        this.listed = new Set(listed);
      }
    }
    return [...this.wanted];
  }

  /** Resolves once the stored list holds the guild; rejects when the write it waited for was refused. */
  async add(guildId: string): Promise<void> {
    await this.guilds();
    if (this.listed.has(guildId)) return;
    this.wanted!.add(guildId);
    await this.write();
  }

  /** Ends the background retries and waits for a write in flight. */
  async stop(): Promise<void> {
    this.stopper.abort(new Error('guild records stopping'));
    await this.chain.catch(() => undefined);
  }

  private write(): Promise<void> {
    if (this.next) return this.next;
    const next = this.chain
      .catch(() => undefined)
      .then(async () => {
        this.next = undefined;
        const ids = [...this.wanted!];
        if (ids.every((id) => this.listed.has(id))) return;
        try {
          await this.store.setMeta(guildListKey(this.owner), ids);
        } catch (err) {
          this.failed(err);
          throw err;
        }
        this.failures = 0;
        this.listed = new Set(ids);
      });
    this.next = next;
    this.chain = next;
    return next;
  }

  private failed(err: unknown): void {
    this.failures += 1;
    // A fenced refusal is final: another process holds the lease now, and this one is stopping.
    if (this.retrying || this.stopper.signal.aborted || isFenced(err)) return;
    this.retrying = true;
    const delayMs = Math.min(this.retry.maxDelayMs ?? 30_000, (this.retry.baseDelayMs ?? 250) * 2 ** (this.failures - 1));
    if (this.failures <= 3 || this.failures % 10 === 0) {
      this.retry.log?.warn({ err, owner: this.owner, failures: this.failures, delayMs }, 'guild list write failed, retrying');
    }
    this.clock.sleep(delayMs, this.stopper.signal).then(
      () => {
        this.retrying = false;
        this.write().catch(() => undefined);
      },
      () => {
        this.retrying = false;
      },
    );
  }
}
