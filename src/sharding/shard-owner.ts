/**
 * Who owns what when several processes share a store. `npm start` is one process, owner `main`, serving every
 * guild. Under the sharding manager each process is one shard, owner `shard-<id>`, serving the guilds Discord's
 * formula gives it: its gateway only ever receives their interactions, so it is their one writer.
 */
export interface ShardOf {
  id: number;
  count: number;
}

/** Discord's sharding formula: `(guild_id >> 22) % shard_count` (as `ShardClientUtil.shardIdForGuildId`). */
export function shardIdForGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** The store owner name of a process: `main`, or `shard-<id>`. */
export function ownerOf(shard: ShardOf | undefined): string {
  return shard ? `shard-${shard.id}` : 'main';
}

/** Whether the process of `shard` (every guild when unset) owns `guildId`. A guild id that is not a snowflake: shard 0. */
export function ownsGuild(shard: ShardOf | undefined, guildId: string): boolean {
  if (!shard) return true;
  return (/^\d+$/.test(guildId) ? shardIdForGuild(guildId, shard.count) : 0) === shard.id;
}
