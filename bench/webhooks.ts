/**
 * Webhook mode end to end: the real bot (World, in process) with PUBLIC_URL set, against the fake Replicate sending
 * signed webhooks. For each of `count` predictions: the status polls it cost, and the time from the completed
 * webhook leaving Replicate to the bot noticing the end ("prediction ended", when delivery starts).
 *
 * Targets (issue 7, benchmark 3): <= 1 poll per prediction, finish -> delivery start <= 1 s.
 */
import { World } from '../test/harness/world.js';
import { percentile, printTable, round, runIfMain, until, writeResult } from './lib/stats.js';

export async function runWebhooks(count = 50) {
  const world = await World.start({
    webhooks: true,
    env: {
      LOG_LEVEL: 'info',
      MAX_CONCURRENT_PREDICTIONS: String(count),
      GUILD_CONCURRENCY: String(count),
      GUILD_QUEUE_LIMIT: String(count),
    },
  });
  try {
    for (let i = 0; i < count; i++) {
      world.replicate.script({ durationMs: 1_000 + (i % 10) * 100 });
      world.discord.sendSlashCommand({
        name: 'video',
        user: { id: String(300000000000000000n + BigInt(i)), username: `m${i}` },
        options: { prompt: `bench video ${i}` },
      });
    }
    await until(() => world.logs.find('job done').length >= count, 60_000, `${count} jobs done`);
    const ended = new Map(world.logs.find('prediction ended').map((l) => [l.predictionId as string, l]));
    const latencies = world.replicate.webhooks.deliveries
      .filter((d) => d.event === 'completed' && d.answer === 200)
      .map((d) => (ended.get(d.predictionId)!.time as number) - d.sentAt);
    const polls = world.replicate.requestCount('get');
    const result = {
      bench: 'webhooks',
      predictions: count,
      targets: { pollsPerPrediction: 1, noticeMs: 1_000 },
      pollsPerPrediction: round(polls / count, 2),
      viaWebhook: [...ended.values()].filter((l) => l.via === 'webhook').length,
      webhooks: world.replicate.webhooks.deliveries.length,
      noticeMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
    };
    writeResult('webhooks', result);
    printTable(`webhook mode, ${count} predictions`, [
      {
        'polls / prediction': result.pollsPerPrediction,
        'ended via webhook': result.viaWebhook,
        'webhook → noticed p50 ms': result.noticeMs.p50,
        'p99 ms': result.noticeMs.p99,
        'max ms': result.noticeMs.max,
      },
    ]);
    return result;
  } finally {
    await world.close();
  }
}

runIfMain(import.meta.url, async () => {
  await runWebhooks(Number(process.argv[2] ?? 50));
});
