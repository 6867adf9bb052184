import { describe, expect, it } from 'vitest';
import { linesOf, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'the sharding manager\'s HTTP port' : 'the sharding manager\'s HTTP port (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('answers /healthz and /metrics for every shard, which do not listen themselves', async () => {
      const world = await startWorld({ shardCount: 2 });
      const manager = await world.startManager({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' });
      const port = manager.find('manager http server listening')[0]!.port as number;

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as { status: string; shards: { id: number; status: string }[] };
      expect(body.status).toBe('ok');
      expect(body.shards.map((s) => [s.id, s.status])).toEqual([[0, 'ok'], [1, 'ok']]);

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP videobot_/m);
      expect(metrics).toMatch(/^videobot_process_cpu_seconds_total /m);
      for (const shard of [0, 1]) expect(linesOf(manager, shard).filter((e) => /listening/.test(String(e.msg)))).toEqual([]);
    }, 90_000);
  },
);
