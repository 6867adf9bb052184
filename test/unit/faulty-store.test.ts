import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { openStore, type Store } from '../../src/storage/keyv-store.js';
import { createFaultyStore, StoreFaultError } from '../harness/faulty-store.js';

const log = pino({ level: 'silent' });

function job(id: string, state: Job['state'] = 'queued'): Job {
  return {
    id,
    guildId: '111111111111111111',
    userId: '222222222222222222',
    seq: 1,
    state,
    request: { prompt: `prompt of ${id}` },
    seconds: 5,
    reply: {
      applicationId: '333333333333333333',
      interactionId: '444444444444444444',
      interactionToken: 'tok',
      interactionAt: 1,
      channelId: '555555555555555555',
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    createdAt: 1,
    updatedAt: 1,
  };
}

const dirs: string[] = [];
const opened: Store[] = [];
async function realStore(): Promise<{ store: Store; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'faulty-store-'));
  dirs.push(dir);
  const url = `sqlite://${join(dir, 'bot.sqlite')}`;
  const store = await openStore(url, log);
  opened.push(store);
  return { store, url };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the fault-injecting store', () => {
  it('fails the nth write and leaves the real store as it was, while the other writes land', async () => {
    const { store } = await realStore();
    const faulty = createFaultyStore(store);
    faulty.failWrite(2);

    await faulty.store.saveJob(job('a'));
    await expect(faulty.store.saveJob(job('b'))).rejects.toBeInstanceOf(StoreFaultError);
    await faulty.store.saveJob(job('c'));

    expect(await store.getJob('a')).toMatchObject({ id: 'a' });
    expect(await store.getJob('b')).toBeUndefined();
    expect(await store.getJob('c')).toMatchObject({ id: 'c' });
    expect(faulty.faults).toMatchObject([{ op: 'saveJob', kind: 'write', n: 2, key: 'b', applied: false }]);
  });

  it('fails every write for a while, then writes land again; reads are untouched', async () => {
    const { store } = await realStore();
    await store.saveJob(job('kept'));
    const faulty = createFaultyStore(store);
    faulty.failWrites(3);

    const results = await Promise.allSettled([
      faulty.store.saveJob(job('x')),
      faulty.store.setMeta('m', 1),
      faulty.store.saveImage('x', Buffer.from('img')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await faulty.store.getJob('kept')).toMatchObject({ id: 'kept' });
    await faulty.store.saveJob(job('x'));
    expect(await store.getJob('x')).toMatchObject({ id: 'x' });
    expect(await store.getMeta('m')).toBeUndefined();
  });

  it('fails the first reads, as a store that cannot be read at start', async () => {
    const { store } = await realStore();
    await store.saveJob(job('active'));
    const faulty = createFaultyStore(store);
    faulty.failReadsAtStart(2);

    await expect(faulty.store.listActiveJobs()).rejects.toThrow(/read refused/);
    await expect(faulty.store.getMeta('x')).rejects.toThrow(/read refused/);
    expect((await faulty.store.listActiveJobs()).map((j) => j.id)).toEqual(['active']);
  });

  it('fails the write of a chosen transition once, and an applied fault lands the write but still rejects', async () => {
    const { store } = await realStore();
    const faulty = createFaultyStore(store);
    faulty.failWhen((call) => call.job?.state === 'running', { applied: true });

    await faulty.store.saveJob(job('j', 'starting'));
    await expect(faulty.store.saveJob(job('j', 'running'))).rejects.toThrow(StoreFaultError);
    expect((await store.getJob('j'))?.state).toBe('running');
    await faulty.store.saveJob(job('j', 'running'));
    expect(faulty.faults).toHaveLength(1);
    expect(faulty.faults[0]).toMatchObject({ applied: true, rule: 'chosen operation' });
  });

  it('fails the same calls at random for the same seed, and others for another seed', async () => {
    const { store } = await realStore();
    const pattern = async (seed: number) => {
      const faulty = createFaultyStore(store);
      faulty.failAtRandom({ seed, writeRate: 0.3, outageRate: 0.05, outageWrites: 3 });
      for (let i = 0; i < 60; i++) await faulty.store.setMeta(`k${i}`, i).catch(() => undefined);
      return faulty.faults.map((f) => f.n);
    };
    const first = await pattern(42);
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(50);
    expect(await pattern(42)).toEqual(first);
    expect(await pattern(43)).not.toEqual(first);
  });

  it('passes methods it does not know straight to the real store', async () => {
    const { store, url } = await realStore();
    const faulty = createFaultyStore(store);
    faulty.failWrites(100);
    await expect(faulty.store.saveJob(job('gone'))).rejects.toThrow();
    faulty.heal();
    await faulty.store.saveJob(job('after'));
    await faulty.store.close();
    opened.splice(opened.indexOf(store), 1);

    const reopened = await openStore(url, log);
    opened.push(reopened);
    expect((await reopened.listActiveJobs()).map((j) => j.id)).toEqual(['after']);
  });
});
