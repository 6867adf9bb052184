import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, probeUntil } from '../harness/http-probe.js';
import { RedisServer, hasRedisServer } from '../harness/redis-server.js';
import { useWorld } from '../harness/use-world.js';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

describe.skipIf(!runs)(
  runs ? '/healthz on redis://' : '/healthz on redis:// (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start();
    });
    afterAll(async () => {
      await redis?.close();
    });
    const world = useWorld(() => ({ env: { STORAGE_URL: `${redis.url}/0`, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' } }));

    it('turns 503 naming the store while redis-server is down, within 2 s each time, and 200 once it is back', async () => {
      const port = world().bot.http!.port;
      const healthy = await probe(port, '/healthz');
      expect(healthy.status).toBe(200);
      expect(healthy.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(healthy.text)).toMatchObject({
        status: 'ok',
        failing: [],
        gateway: { connected: true, shards: [{ id: 0, status: 0 }] },
        store: { ok: true },
      });

      await redis.stop();
      const down = await probeUntil(port, '/healthz', (a) => a.status === 503, { description: '/healthz 503' });
      expect(JSON.parse(down.text)).toMatchObject({ status: 'failing', failing: ['store'], gateway: { connected: true } });
      // The store's own calls wait up to 5 s for a reply: the probe's answer never does.
      for (let i = 0; i < 3; i++) {
        const again = await probe(port, '/healthz');
        expect(again.status).toBe(503);
        expect(again.tookMs).toBeLessThan(2_000);
      }
      expect(world().logs.find('health check failing')).toHaveLength(1);

      await redis.resume();
      const back = await probeUntil(port, '/healthz', (a) => a.status === 200, { description: '/healthz 200 again' });
      expect(JSON.parse(back.text)).toMatchObject({ status: 'ok', failing: [], store: { ok: true } });
      await world().logs.waitFor('health check ok again');
      expect(world().logs.text).not.toContain(world().config.discordToken);
    }, 60_000);
  },
);
