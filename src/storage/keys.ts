/**
 * Every key the bot stores, in one place (the storage module is the only one that knows key names). In keyv's
 * `bot` namespace:
 *   job:<id>                  the job record (plain JSON)
 *   image:<id>                the start image's bytes: until the job ends, or, for a delivered video, until its
 *                             keeping time
 *   images:kept:<yyyy-mm-dd>  [jobId, until] of the kept images whose time is up that UTC day (the upkeep's list)
 *   images:kept:days          the days that have such a list
 *   images:kept:<owner>:…     the same two for an owner other than `main` (a shard): one writer per key
 *   jobs:active:<owner>       ids of the owner's jobs not yet finished (one owner per process: processes sharing a
 *                             store, e.g. shards, each keep their own index and never overwrite another's)
 *   meta:<name>               small named values (JobStore.getMeta/setMeta), among them:
 *     settings:<guildId>             the guild's /video-admin settings
 *     settings:guilds                ids of the guilds `main` owns that have records (read at start)
 *     settings:guilds:<owner>        the same for another owner (`shard-<id>`)
 *     usage:<guildId>:<YYYY-MM-DD>   the day's usage rows
 *     modlog:<guildId>               the guild's mod-log entries by job id, until the job's outcome is shown
 *     modlog:<guildId>:<YYYY-MM-DD>  every mod-log entry posted that day, by job id (what `forget` edits)
 *     generation-history:<model>[:<owner>]  recent generation times (ETAs)
 *     layout                         which layout (single process or shards) the store belongs to
 *     models:<owner>/<name>          the model's schema as last read from Replicate, shared by every process and
 *                                    shard: a start while Replicate is down runs on it
 * and, outside keyv, the owner's lease and the account-wide slots (see the backends).
 */

/** An owner's active index: ids of its jobs not yet finished. */
export function activeIndexKey(owner: string): string {
  return `jobs:active:${owner}`;
}

/** An owner's list of kept images whose time is up on `day` (or, for `days`, the days that have one). */
export function keptImagesKey(owner: string, day: string): string {
  return owner === 'main' ? `images:kept:${day}` : `images:kept:${owner}:${day}`;
}

/** The meta key of an owner's guild list (`main` keeps the name it always had). */
export function guildListKey(owner: string): string {
  return owner === 'main' ? 'settings:guilds' : `settings:guilds:${owner}`;
}

/** The meta key of a guild's settings. */
export function settingsKey(guildId: string): string {
  return `settings:${guildId}`;
}

/** The meta key of a guild's usage rows of one UTC day. */
export function usageKey(guildId: string, day: string): string {
  return `usage:${guildId}:${day}`;
}

/** The meta key of a guild's mod-log entries. */
export function modlogKey(guildId: string): string {
  return `modlog:${guildId}`;
}

/** The meta key of the mod-log entries a guild's mod-log got on one UTC day. */
export function modlogPostsKey(guildId: string, day: string): string {
  return `modlog:${guildId}:${day}`;
}

/** The meta key of a model's stored schema (one for every owner: any process may refresh it). */
export function modelSchemaKey(model: string): string {
  return `models:${model}`;
}
