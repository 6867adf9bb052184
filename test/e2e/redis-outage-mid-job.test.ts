import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/keyv-store.js';
import { RedisServer, hasRedisServer } from '../harness/redis-server.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';
import pino from 'pino';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

describe.skipIf(!runs)(
  runs ? 'STORAGE_URL=redis://' : 'STORAGE_URL=redis:// (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start({ durable: true });
    });
    afterAll(async () => {
      await redis?.close();
    });
    const world = useWorld(() => ({ env: { STORAGE_URL: `${redis.url}/0` } }));

    it('a job survives redis-server stopping mid-job: delivered once it is back, one prediction, nothing lost', async () => {
      const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 3)]);
      world().replicate.script({ durationMs: 2_000, output: video });
      const sent = requestVideo(world(), { id: '123456789012345678', username: 'ada' }, 'a kite over the dunes');
      await replyShowing(world(), sent, /Generating/);

      await redis.stop();
      await world().logs.waitFor('store connection lost; reconnecting');
      // The prediction ends while the store is away: the bot cannot record it, so it shows nothing and waits.
      world().clock.jump(5_000);
      // (The store's calls wait up to 5 s each for a reply before they fail.)
      await world().logs.waitFor('job write failed, retrying', { timeoutMs: 30_000 });
      expect(world().discord.interaction(sent.id).original?.attachments ?? []).toEqual([]);

      await redis.resume();
      const record = await readyPing(world(), sent, { timeoutMs: 30_000 });
      expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
      expect(record.followUps).toHaveLength(1);
      expect(world().replicate.predictions).toHaveLength(1);
      await world().logs.waitFor('store connection back');

      // The record follows the ping: wait for it rather than race it.
      const done = await world().logs.waitFor('job done');
      await world().bot.stop();
      const store = await openStore(`${redis.url}/0`, pino({ level: 'silent' }));
      try {
        expect(await store.listActiveJobs()).toEqual([]);
        expect(await store.getJob(done.jobId as string)).toMatchObject({ state: 'done', delivery: 'attachment' });
      } finally {
        await store.close();
      }
    }, 60_000);
  },
);
