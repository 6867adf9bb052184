import type { GenerationSample } from '../queue/eta.js';
import type { MetaStore } from './guild-records.js';

/**
 * The bot's own generation times, per model, kept beside the jobs through the store's named values (the storage
 * module stays the only place that knows key names):
 *   generation-history:<model>   recent samples `{ duration, ms }` (what the ETA's medians and the poll schedule read)
 *   generation-history:<model>:<owner>  the same for a shard (one writer per key); it starts from `main`'s
 * Before the history existed one learned average lived under `generation-ms:<model>`; it is not carried over (its
 * clips' durations are unknown, and the ETA stays absent until the bot has measured its own).
 */
export class GenerationRecords {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: MetaStore,
    private readonly model: string,
    private readonly owner = 'main',
  ) {}

  private get key(): string {
    return this.owner === 'main' ? `generation-history:${this.model}` : `generation-history:${this.model}:${this.owner}`;
  }

  async load(): Promise<GenerationSample[]> {
    const stored =
      (await this.store.getMeta<GenerationSample[]>(this.key)) ??
      (await this.store.getMeta<GenerationSample[]>(`generation-history:${this.model}`));
    return Array.isArray(stored) ? stored.filter((s) => Number.isFinite(s?.duration) && Number.isFinite(s?.ms)) : [];
  }

  /** Writes are serialized, so an older list never lands after a newer one. */
  save(samples: readonly GenerationSample[]): Promise<void> {
    const next = this.chain.catch(() => undefined).then(() => this.store.setMeta(this.key, samples));
    this.chain = next;
    return next;
  }
}
