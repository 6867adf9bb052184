import { describe, expect, it } from 'vitest';
import { GuildPolicy } from '../../src/moderation/guild-policy.js';
import type { UsageRow } from '../../src/report/usage-report.js';
import type { OperatorPolicy } from '../../src/settings/guild-settings.js';
import { ownsGuild } from '../../src/sharding/shard-owner.js';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { snowflakeOnShard } from '../fakes/discord/snowflake.js';
import { MemoryStore } from '../harness/memory-store.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog } from './queue-doubles.js';

class CountingStore extends MemoryStore {
  writes: string[] = [];
  override async setMeta<T>(key: string, value: T): Promise<void> {
    this.writes.push(key);
    await super.setMeta(key, value);
  }
}

const operator: OperatorPolicy = { quotaDefaultSeconds: 20, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 20 } };
const [mine, theirs] = [snowflakeOnShard(0, 2, 1), snowflakeOnShard(1, 2, 2)];
const shard0 = { id: 0, count: 2 };
const owns = (id: string) => ownsGuild(shard0, id);

describe('guild records under sharding: one writer per key', () => {
  it('a shard starts from its own guilds of npm start\'s list and writes only a list of its own', async () => {
    const store = new CountingStore();
    await store.setMeta('settings:guilds', [mine, theirs]);
    store.writes = [];
    const records = new GuildRecords(store, 'shard-0', owns);
    expect(await records.knownGuilds()).toEqual([mine]);
    const another = snowflakeOnShard(0, 2, 5);
    await records.saveSettings(another, (await records.loadSettings(another)));
    expect(store.writes).toEqual(['settings:guilds:shard-0', `settings:${another}`]);
    expect(await store.getMeta('settings:guilds')).toEqual([mine, theirs]);
    expect(await new GuildRecords(store, 'shard-0', owns).knownGuilds()).toEqual([mine, another]);
  });

  it('a shard\'s policy neither loads nor reconciles another shard\'s guild', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10));
    const store = new CountingStore();
    const day = '2026-12-01';
    const row = (jobId: string): UsageRow => ({ jobId, acceptedAt: clock.now() - 1000, userId: 'u1', seconds: 5, state: 'running' });
    await store.setMeta('settings:guilds:shard-0', [mine, theirs]);
    await store.setMeta(`usage:${mine}:${day}`, [row('a')]);
    await store.setMeta(`usage:${theirs}:${day}`, [row('b')]);
    store.writes = [];
    const policy = new GuildPolicy({ records: new GuildRecords(store, 'shard-0', owns), operator, clock, log: captureLog().log });
    // Neither job is active here: a row of this shard's guild is settled (canceled), the other shard's is left alone.
    await policy.start([], async () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.writes).toEqual([`usage:${mine}:${day}`]);
    expect(await store.getMeta(`usage:${theirs}:${day}`)).toEqual([row('b')]);
    expect(policy.standingOf(theirs, 'u1', []).used).toBe(0);
  });
});
