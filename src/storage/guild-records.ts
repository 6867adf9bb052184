import type { JobStore } from '../queue/ports.js';
import type { UsageRow } from '../report/usage-report.js';
import { emptySettings, type GuildSettings } from '../settings/guild-settings.js';

/**
 * Per-guild records kept beside the jobs, through the store's named values (the storage module stays the only place
 * that knows key names):
 *   settings:<guildId>           the guild's /video-admin settings
 *   settings:guilds              ids of the guilds `main` (npm start) owns that have settings or usage (read at start)
 *   settings:guilds:<owner>      the same for another owner (a shard, `shard-<id>`): one list per owner, so two
 *                                shards adding their guilds at once never overwrite each other's
 *   usage:<guildId>:<YYYY-MM-DD> the day's usage rows (one per job accepted that day, in acceptance order)
 *   modlog:<guildId>             the guild's open mod-log entries by job id (one key per guild, not per job: the
 *                                store has no delete, and an entry goes once its job's outcome is shown)
 * One writer per guild (the process that owns it): writes to one key are serialized here, and a burst of changes
 * to one day costs a few writes, not one each.
 */
export type MetaStore = Pick<JobStore, 'getMeta' | 'setMeta'>;

/** The mod-log message that shows a job, kept until it was edited with the outcome (so a restart still edits it). */
export interface ModlogEntry {
  channelId: string;
  messageId: string;
  /** The start image uploaded with the entry, which its thumbnail points at (`attachment://<filename>`). */
  attachment?: { id: string; filename: string };
  /** When it was posted, epoch ms. */
  postedAt: number;
}

/** An entry whose job never reported an end (lost in a crash) is dropped once it is this old. */
const modlogEntryKeptMs = 30 * 86_400_000;

export class GuildRecords {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, () => unknown>();
  private guilds: Set<string> | undefined;
  private readonly modlog = new Map<string, Promise<Map<string, ModlogEntry>>>();

  /**
   * `owner`: whose list of guilds this process keeps (`main` or `shard-<id>`); `owns` tells its guilds apart. A
   * shard whose own list was never written starts from the guilds it owns in `main`'s list (a store used by
   * `npm start` before), which it only reads.
   */
  constructor(
    private readonly store: MetaStore,
    private readonly owner = 'main',
    private readonly owns: (guildId: string) => boolean = () => true,
  ) {}

  async knownGuilds(): Promise<string[]> {
    if (!this.guilds) {
      const own = await this.store.getMeta<string[]>(guildListKey(this.owner));
      const listed = own ?? (await this.store.getMeta<string[]>(guildListKey('main'))) ?? [];
      this.guilds = new Set(listed.filter((id) => this.owns(id)));
    }
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

  async loadModlogEntry(guildId: string, jobId: string): Promise<ModlogEntry | undefined> {
    return (await this.modlogEntries(guildId)).get(jobId);
  }

  async saveModlogEntry(guildId: string, jobId: string, entry: ModlogEntry): Promise<void> {
    const entries = await this.modlogEntries(guildId);
    entries.set(jobId, entry);
    for (const [id, old] of entries) if (old.postedAt < entry.postedAt - modlogEntryKeptMs) entries.delete(id);
    await this.write(`modlog:${guildId}`, () => Object.fromEntries(entries));
  }

  /** The job's outcome is shown: its entry is no longer needed. */
  async dropModlogEntry(guildId: string, jobId: string): Promise<void> {
    const entries = await this.modlogEntries(guildId);
    if (!entries.delete(jobId)) return;
    await this.write(`modlog:${guildId}`, () => Object.fromEntries(entries));
  }

  /** Read once per guild, then kept in memory (this process is the guild's one writer). */
  private modlogEntries(guildId: string): Promise<Map<string, ModlogEntry>> {
    let entries = this.modlog.get(guildId);
    if (!entries) {
      entries = this.store
        .getMeta<Record<string, ModlogEntry>>(`modlog:${guildId}`)
        .then((stored) => new Map(Object.entries(stored ?? {})));
      // A failed read is tried again by the next call instead of being remembered.
      entries.catch(() => this.modlog.delete(guildId));
      this.modlog.set(guildId, entries);
    }
    return entries;
  }

  private async remember(guildId: string): Promise<void> {
    const guilds = new Set(await this.knownGuilds());
    if (guilds.has(guildId)) return;
    this.guilds!.add(guildId);
    await this.write(guildListKey(this.owner), () => [...this.guilds!]);
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

/** The key of an owner's guild list (`main` keeps the name it always had). */
export function guildListKey(owner: string): string {
  return owner === 'main' ? 'settings:guilds' : `settings:guilds:${owner}`;
}
