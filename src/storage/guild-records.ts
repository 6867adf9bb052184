import type { JobStore } from '../queue/ports.js';
import { isoDay } from '../quota/period.js';
import type { UsageRow } from '../report/usage-report.js';
import { emptySettings, type GuildSettings } from '../settings/guild-settings.js';
import { GuildIndex, type GuildIndexRetry } from './guild-index.js';
import { modlogKey, modlogPostsKey, settingsKey, usageKey } from './keys.js';

/**
 * Per-guild records kept beside the jobs, through the store's named values (key names in keys.ts):
 *   settings:<guildId>           the guild's /video-admin settings
 *   settings:guilds[:<owner>]    ids of the guilds the owner has records for (read at start; see guild-index.ts):
 *                                one list per owner, so two shards adding their guilds at once never overwrite each
 *                                other's
 *   usage:<guildId>:<YYYY-MM-DD> the day's usage rows (one per job accepted that day, in acceptance order)
 *   modlog:<guildId>             the guild's open mod-log entries by job id (one key per guild, not per job: the
 *                                store has no delete, and an entry goes once its job's outcome is shown)
 *   modlog:<guildId>:<day>       every entry posted that UTC day, by job id, kept as long as job records are: what
 *                                `forget` edits
 * A guild's settings or usage are saved only once the guild is in the stored list: what is saved is what a restart
 * loads. One writer per guild (the process that owns it): writes to one key are serialized here, and a burst of
 * changes to one day costs a few writes, not one each.
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
/** The day lists of posted entries outlive the job records (90 days) by a day, so `forget` finds every entry. */
const modlogPostsKeptMs = 91 * 86_400_000;

export class GuildRecords {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, () => unknown>();
  private readonly index: GuildIndex;
  private readonly modlog = new Map<string, Promise<Map<string, ModlogEntry>>>();
  /** The day lists of posted entries this process wrote to (one writer per guild). */
  private readonly posts = new Map<string, Promise<Map<string, ModlogEntry>>>();

  /**
   * `owner`: whose list of guilds this process keeps (`main` or `shard-<id>`); `owns` tells its guilds apart. A
   * shard whose own list was never written starts from the guilds it owns in `main`'s list (a store used by
   * `npm start` before), which it only reads. `retry`: how a refused write of the list is tried again.
   */
  constructor(
    private readonly store: MetaStore,
    owner = 'main',
    owns: (guildId: string) => boolean = () => true,
    retry: GuildIndexRetry = {},
  ) {
    this.index = new GuildIndex(store, owner, owns, retry);
  }

  knownGuilds(): Promise<string[]> {
    return this.index.guilds();
  }

  async loadSettings(guildId: string): Promise<GuildSettings> {
    const stored = await this.store.getMeta<Partial<GuildSettings>>(settingsKey(guildId));
    return { ...emptySettings(), ...stored };
  }

  /** Resolves once a restart would load these settings: the guild listed, then the settings written. */
  async saveSettings(guildId: string, settings: GuildSettings): Promise<void> {
    await this.index.add(guildId);
    await this.write(settingsKey(guildId), () => settings);
  }

  async loadDay(guildId: string, day: string): Promise<UsageRow[]> {
    return (await this.store.getMeta<UsageRow[]>(usageKey(guildId, day))) ?? [];
  }

  /**
   * Writes the day's rows as `rows()` gives them when the write runs (so the latest state wins). The rows are written
   * even when the guild list's write is refused (that one goes on in the background); rejects if either was refused.
   */
  async saveDay(guildId: string, day: string, rows: () => readonly UsageRow[]): Promise<void> {
    const [listed, written] = await Promise.allSettled([this.index.add(guildId), this.write(usageKey(guildId, day), rows)]);
    if (listed.status === 'rejected') throw listed.reason;
    if (written.status === 'rejected') throw written.reason;
  }

  /** Ends the background retries of the guild list (before the store closes). */
  stop(): Promise<void> {
    return this.index.stop();
  }

  async loadModlogEntry(guildId: string, jobId: string): Promise<ModlogEntry | undefined> {
    return (await this.modlogEntries(guildId)).get(jobId);
  }

  async saveModlogEntry(guildId: string, jobId: string, entry: ModlogEntry): Promise<void> {
    const entries = await this.modlogEntries(guildId);
    entries.set(jobId, entry);
    for (const [id, old] of entries) if (old.postedAt < entry.postedAt - modlogEntryKeptMs) entries.delete(id);
    await this.write(modlogKey(guildId), () => Object.fromEntries(entries));
  }

  /** Lists a posted entry under its day, for `forget` (see modlogPosts). */
  async saveModlogPost(guildId: string, jobId: string, entry: ModlogEntry): Promise<void> {
    const day = isoDay(entry.postedAt);
    const key = modlogPostsKey(guildId, day);
    let posts = this.posts.get(key);
    if (!posts) {
      // Only the last two days are still written to: older lists leave memory (they are read again if asked for).
      const oldest = isoDay(entry.postedAt - 86_400_000);
      for (const known of this.posts.keys()) if (known.slice(-10) < oldest && !this.chains.has(known)) this.posts.delete(known);
      const loading = this.store.getMeta<Record<string, ModlogEntry>>(key).then((stored) => new Map(Object.entries(stored ?? {})));
      loading.catch(() => this.posts.delete(key));
      this.posts.set(key, loading);
      posts = loading;
    }
    const entries = await posts;
    entries.set(jobId, entry);
    await this.write(key, () => Object.fromEntries(entries), modlogPostsKeptMs);
  }

  /** The entries posted on a UTC day (`YYYY-MM-DD`), by job id. */
  async modlogPosts(guildId: string, day: string): Promise<Map<string, ModlogEntry>> {
    const key = modlogPostsKey(guildId, day);
    const known = this.posts.get(key);
    if (known) return known;
    return new Map(Object.entries((await this.store.getMeta<Record<string, ModlogEntry>>(key)) ?? {}));
  }

  /** The job's outcome is shown: its entry is no longer needed. */
  async dropModlogEntry(guildId: string, jobId: string): Promise<void> {
    const entries = await this.modlogEntries(guildId);
    if (!entries.delete(jobId)) return;
    await this.write(modlogKey(guildId), () => Object.fromEntries(entries));
  }

  /** Read once per guild, then kept in memory (this process is the guild's one writer). */
  private modlogEntries(guildId: string): Promise<Map<string, ModlogEntry>> {
    let entries = this.modlog.get(guildId);
    if (!entries) {
      entries = this.store
        .getMeta<Record<string, ModlogEntry>>(modlogKey(guildId))
        .then((stored) => new Map(Object.entries(stored ?? {})));
      // A failed read is tried again by the next call instead of being remembered.
      entries.catch(() => this.modlog.delete(guildId));
      this.modlog.set(guildId, entries);
    }
    return entries;
  }

  /**
   * Serialized per key and coalesced: a caller waits for the first write that starts after its change, which
   * writes the value as it is then.
   */
  private write(key: string, value: () => unknown, ttlMs?: number): Promise<void> {
    const queued = this.pending.has(key);
    this.pending.set(key, value);
    if (queued) return this.chains.get(key) as Promise<void>;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        const latest = this.pending.get(key)!;
        this.pending.delete(key);
        return this.store.setMeta(key, latest(), ttlMs);
      });
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }).catch(() => undefined);
    return next;
  }
}
