import type { JobStore } from '../queue/ports.js';
import type { UsageRow } from '../report/usage-report.js';
import { emptySettings, type GuildSettings } from '../settings/guild-settings.js';

/**
 * Per-guild records kept beside the jobs, through the store's named values (the storage module stays the only place
 * that knows key names):
 *   settings:<guildId>           the guild's /video-admin settings
 *   settings:guilds              ids of the guilds that have settings or usage (read at start)
 *   usage:<guildId>:<YYYY-MM-DD> the day's usage rows (one per job accepted that day, in acceptance order)
 * One writer per guild (the process that owns it): writes to one key are serialized here, and a burst of changes
 * to one day costs a few writes, not one each.
 */
export type MetaStore = Pick<JobStore, 'getMeta' | 'setMeta'>;

export class GuildRecords {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, () => unknown>();
  private guilds: Set<string> | undefined;

  constructor(private readonly store: MetaStore) {}

  async knownGuilds(): Promise<string[]> {
    this.guilds ??= new Set((await this.store.getMeta<string[]>('settings:guilds')) ?? []);
    return [...this.guilds];
  }

  async loadSettings(guildId: string): Promise<GuildSettings> {
    const stored = await this.store.getMeta<Partial<GuildSettings>>(`settings:${guildId}`);
    return { ...emptySettings(), ...stored };
  }

  async saveSettings(guildId: string, settings: GuildSettings): Promise<void> {
    await this.remember(guildId);
    await this.write(`settings:${guildId}`, () => settings);
  }

  async loadDay(guildId: string, day: string): Promise<UsageRow[]> {
    return (await this.store.getMeta<UsageRow[]>(`usage:${guildId}:${day}`)) ?? [];
  }

  /** Writes the day's rows as `rows()` gives them when the write runs (so the latest state wins). */
  async saveDay(guildId: string, day: string, rows: () => readonly UsageRow[]): Promise<void> {
    await this.remember(guildId);
    await this.write(`usage:${guildId}:${day}`, rows);
  }

  private async remember(guildId: string): Promise<void> {
    const guilds = new Set(await this.knownGuilds());
    if (guilds.has(guildId)) return;
    this.guilds!.add(guildId);
    await this.write('settings:guilds', () => [...this.guilds!]);
  }

  /**
   * Serialized per key and coalesced: a caller waits for the first write that starts after its change, which
   * writes the value as it is then.
   */
  private write(key: string, value: () => unknown): Promise<void> {
    const queued = this.pending.has(key);
    this.pending.set(key, value);
    if (queued) return this.chains.get(key) as Promise<void>;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        const latest = this.pending.get(key)!;
        this.pending.delete(key);
        return this.store.setMeta(key, latest());
      });
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }).catch(() => undefined);
    return next;
  }
}
