import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../src/report/usage-report.js';
import { emptySettings } from '../../src/settings/guild-settings.js';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { MemoryStore } from '../harness/memory-store.js';

const row = (jobId: string): UsageRow => ({ jobId, acceptedAt: Date.UTC(2026, 11, 1), userId: 'u1', seconds: 5, state: 'queued', prompt: 'p' });

class CountingStore extends MemoryStore {
  writes: string[] = [];
  override async setMeta<T>(key: string, value: T): Promise<void> {
    this.writes.push(key);
    await super.setMeta(key, value);
  }
}

describe('guild records', () => {
  it('gives empty settings to a guild never configured, and the saved ones after', async () => {
    const store = new MemoryStore();
    const records = new GuildRecords(store);
    expect(await records.loadSettings('g1')).toEqual(emptySettings());
    const settings = { ...emptySettings(), words: ['gore'] };
    await records.saveSettings('g1', settings);
    expect(await new GuildRecords(store).loadSettings('g1')).toEqual(settings);
    expect(await new GuildRecords(store).knownGuilds()).toEqual(['g1']);
  });

  it('coalesces a burst of changes to one day into a few writes, the latest rows winning', async () => {
    const store = new CountingStore();
    const records = new GuildRecords(store);
    const rows: UsageRow[] = [];
    const saves = Array.from({ length: 50 }, (_, i) => {
      rows.push(row(`j${i}`));
      return records.saveDay('g1', '2026-12-01', () => rows);
    });
    await Promise.all(saves);
    expect(store.writes.filter((k) => k.startsWith('usage:')).length).toBeLessThanOrEqual(3);
    expect((await records.loadDay('g1', '2026-12-01')).map((r) => r.jobId)).toEqual(rows.map((r) => r.jobId));
    expect(await records.loadDay('g1', '2026-12-02')).toEqual([]);
  });

  it('keeps mod-log entries across instances until dropped, and forgets ones whose job never ended after 30 days', async () => {
    const store = new CountingStore();
    const records = new GuildRecords(store);
    const day = 86_400_000;
    const entry = (messageId: string, postedAt: number) => ({ channelId: 'c1', messageId, postedAt });
    await Promise.all([records.saveModlogEntry('g1', 'j1', entry('m1', 0)), records.saveModlogEntry('g1', 'j2', entry('m2', day))]);
    expect(await new GuildRecords(store).loadModlogEntry('g1', 'j1')).toEqual(entry('m1', 0));
    await records.dropModlogEntry('g1', 'j1');
    expect(await new GuildRecords(store).loadModlogEntry('g1', 'j1')).toBeUndefined();
    expect(await new GuildRecords(store).loadModlogEntry('g1', 'j2')).toEqual(entry('m2', day));
    await records.saveModlogEntry('g1', 'j3', entry('m3', 32 * day));
    expect(await store.getMeta('modlog:g1')).toEqual({ j3: entry('m3', 32 * day) });
    expect(await records.loadModlogEntry('g2', 'j3')).toBeUndefined();
  });
});
