import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { openStore } from '../../src/storage/keyv-store.js';

const log = pino({ level: 'silent' });

function job(id: string, state: Job['state'], seq = 1): Job {
  return {
    id,
    guildId: '111111111111111111',
    userId: '222222222222222222',
    seq,
    state,
    request: { prompt: 'a cat surfing', duration: 10 },
    seconds: 10,
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

/**
 * The same contract on every backend STORAGE_URL accepts. SQLite always runs; Redis and PostgreSQL run where a
 * server is given (.ci/run starts both and sets these variables).
 */
const backends: { name: string; url: () => string }[] = [
  { name: 'SQLite', url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'store-')), 'nested', 'bot.sqlite')}` },
];
const redisUrl = process.env.TEST_REDIS_URL;
const postgresUrl = process.env.TEST_POSTGRES_URL;
let database = 0;
if (redisUrl) backends.push({ name: 'Redis', url: () => `${redisUrl}/${++database}` });
if (postgresUrl) backends.push({ name: 'PostgreSQL', url: () => postgresUrl });

describe.each(backends)('$name store', ({ url: newUrl }) => {
  it('keeps active jobs, images and meta across a reopen', async () => {
    const url = newUrl();
    const owner = `reopen-${Date.now()}`;
    const first = await openStore(url, log, owner);
    await Promise.all([first.saveJob(job('a', 'queued', 1)), first.saveJob(job('b', 'running', 2))]);
    await first.saveJob(job('c', 'queued', 3));
    await first.saveJob(job('c', 'done', 3));
    await first.saveImage('a', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
    await first.setMeta('commands:global', 'hash-1');
    await first.close();

    const second = await openStore(url, log, owner);
    const active = (await second.listActiveJobs()).map((j) => j.id).sort();
    expect(active).toEqual(['a', 'b']);
    expect((await second.getJob('c'))?.state).toBe('done');
    expect(await second.loadImage('a')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
    await second.deleteImage('a');
    expect(await second.loadImage('a')).toBeUndefined();
    expect(await second.getMeta('commands:global')).toBe('hash-1');
    await second.close();
  });

  it('does not lose index entries when many jobs are accepted at once', async () => {
    const url = newUrl();
    const owner = `burst-${Date.now()}`;
    const store = await openStore(url, log, owner);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.saveJob(job(`j${i}`, 'queued', i))));
    await store.close();
    const again = await openStore(url, log, owner);
    expect(await again.listActiveJobs()).toHaveLength(200);
    await again.close();
  });
});
