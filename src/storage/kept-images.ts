import type Keyv from 'keyv';
import { keptImagesKey } from './keys.js';

/**
 * The lists of kept start images by the UTC day their time is up (`images:kept:…`, see keys.ts), which the
 * upkeep reads to delete them. One owner's lists, read and rewritten one change at a time (keyv has no atomic update).
 */
export class KeptImages {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly keyv: Keyv,
    private readonly owner: string,
  ) {}

  keep(jobId: string, until: number): Promise<void> {
    return this.serial(async () => {
      const day = utcDay(until);
      const list = (await this.keyv.get<[string, number][]>(keptImagesKey(this.owner, day))) ?? [];
      if (!list.some(([id]) => id === jobId)) {
        // Listed before the record says "kept" (the caller writes it next): a crash between leaves no image unlisted.
        await this.keyv.set(keptImagesKey(this.owner, day), [...list, [jobId, until]]);
      }
      const days = (await this.keyv.get<string[]>(keptImagesKey(this.owner, 'days'))) ?? [];
      if (!days.includes(day)) await this.keyv.set(keptImagesKey(this.owner, 'days'), [...days, day].sort());
    });
  }

  dropExpired(now: number): Promise<number> {
    return this.serial(async () => {
      const today = utcDay(now);
      const days = (await this.keyv.get<string[]>(keptImagesKey(this.owner, 'days'))) ?? [];
      let dropped = 0;
      const remaining: string[] = [];
      for (const day of days) {
        if (day > today) {
          remaining.push(day);
          continue;
        }
        const list = (await this.keyv.get<[string, number][]>(keptImagesKey(this.owner, day))) ?? [];
        const due = list.filter(([, until]) => until <= now);
        const later = list.filter(([, until]) => until > now);
        if (due.length > 0) await this.keyv.deleteMany(due.map(([id]) => `image:${id}`));
        dropped += due.length;
        if (later.length > 0) {
          remaining.push(day);
          if (due.length > 0) await this.keyv.set(keptImagesKey(this.owner, day), later);
        } else {
          await this.keyv.delete(keptImagesKey(this.owner, day));
        }
      }
      if (remaining.length !== days.length) await this.keyv.set(keptImagesKey(this.owner, 'days'), remaining);
      return dropped;
    });
  }

  /** Resolves once no change is under way (before the store closes). */
  async idle(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.writes.catch(() => undefined).then(task);
    this.writes = next;
    return next;
  }
}

/** `2026-01-31`: the UTC day of an epoch-ms time (sorts as text). */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
