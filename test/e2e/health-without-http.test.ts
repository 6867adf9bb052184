import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, valueOf } from '../harness/prometheus-text.js';
import { useWorld } from '../harness/use-world.js';

const world = useWorld();

describe('a bot without HTTP_PORT', () => {
  it('listens on no port, yet tells its caller its health and metrics (what a sharding manager asks over IPC)', async () => {
    const bot = world().bot;
    expect(bot.http).toBeUndefined();
    expect(world().logs.find('http server listening')).toEqual([]);

    expect(await bot.health()).toMatchObject({ status: 'ok', failing: [], gateway: { connected: true } });

    // Two shards' registries as JSON, merged the way the manager's /metrics does.
    const json = await bot.metrics.registry.getMetricsAsJSON();
    const merged = AggregatorRegistry.aggregate([json, json]);
    const families = parsePrometheusText(await merged.metrics());
    expect(valueOf(families, 'videobot_jobs_accepted_total')).toBe(0);
    expect(families.get('videobot_queue_depth')!.samples).toHaveLength(16);
    // Process metrics are off unless asked for (BotOptions.processMetrics): nothing would read them here.
    expect(families.has('videobot_process_cpu_seconds_total')).toBe(false);
  });
});
