import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../src/report/usage-report.js';
import { emptySettings } from '../../src/settings/guild-settings.js';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { createFaultyStore } from '../harness/faulty-store.js';
import { MemoryStore } from '../harness/memory-store.js';
import { ManualClock } from '../harness/test-clock.js';

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

  it('a refused write of the guild list fails the save, and is retried in the background until the list holds the guild', async () => {
    const faulty = createFaultyStore(new MemoryStore());
    const clock = new ManualClock();
    const records = new GuildRecords(faulty.store, 'main', () => true, { clock, baseDelayMs: 100, maxDelayMs: 400 });
    faulty.failWhen((call) => call.op === 'setMeta' && call.key === 'settings:guilds', { times: 3 });
    const rows = [row('j1')];
    await expect(records.saveDay('g1', '2026-12-01', () => rows)).rejects.toThrow(/refused/);
    // The rows are written; the list is not yet, so a restart would not read them.
    expect(await records.loadDay('g1', '2026-12-01')).toEqual(rows);
    expect(await new GuildRecords(faulty.store).knownGuilds()).toEqual([]);
    await clock.advance(100 + 200 + 400);
    expect(await new GuildRecords(faulty.store).knownGuilds()).toEqual(['g1']);
    expect(clock.nextDue()).toBeUndefined();
    await records.stop();
  });

  it('saves settings only once the list holding their guild is stored, however many tries that takes', async () => {
    const faulty = createFaultyStore(new MemoryStore());
    const records = new GuildRecords(faulty.store, 'main', () => true, { clock: new ManualClock() });
    faulty.failWhen((call) => call.op === 'setMeta' && call.key === 'settings:guilds');
    const settings = { ...emptySettings(), words: ['gore'] };
    await expect(records.saveSettings('g1', settings)).rejects.toThrow(/refused/);
    await records.saveSettings('g1', settings);
    expect(await new GuildRecords(faulty.store).knownGuilds()).toEqual(['g1']);
    expect(await new GuildRecords(faulty.store).loadSettings('g1')).toEqual(settings);
    await records.stop();
  });
});
