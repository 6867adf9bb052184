import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../src/queue/job.js';

/**
 * Every backend STORAGE_URL accepts. SQLite always runs; Redis and PostgreSQL run where a server is given
 * (.ci/run starts both and sets TEST_REDIS_URL / TEST_POSTGRES_URL) and show as skipped, with the reason, where not.
 */
export interface TestBackend {
  /** The describe name: says why the block is skipped when it is. */
  title: string;
  skip: boolean;
  /** A fresh store URL (a new SQLite file; a Redis database; the one PostgreSQL database). */
  url(): string;
}

const redisUrl = process.env.TEST_REDIS_URL;
const postgresUrl = process.env.TEST_POSTGRES_URL;

export function testBackends(firstRedisDb: number): TestBackend[] {
  let database = firstRedisDb;
  return [
    { title: 'SQLite store', skip: false, url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'store-')), 'nested', 'bot.sqlite')}` },
    {
      title: redisUrl ? 'Redis store' : 'Redis store (skipped: TEST_REDIS_URL is not set)',
      skip: !redisUrl,
      url: () => `${redisUrl}/${database++ % 16}`,
    },
    {
      title: postgresUrl ? 'PostgreSQL store' : 'PostgreSQL store (skipped: TEST_POSTGRES_URL is not set)',
      skip: !postgresUrl,
      url: () => postgresUrl!,
    },
  ];
}

/** Ids unique across test files and runs: Redis databases and the PostgreSQL table are shared. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function job(id: string, state: Job['state'], seq = 1): Job {
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
  } as Job;
}
