import { describe, expect, it } from 'vitest';
import { statusAt } from '../fakes/replicate/prediction.js';
import { waitUntil } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

const mp4 = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, fill)]);

describe('a bot killed with SIGKILL while a job runs', () => {
  it('resumes the same prediction after a restart, delivers it, then runs the job that was waiting', async () => {
    const first = mp4(1);
    const second = mp4(2);
    world().replicate.script({ durationMs: 3_000, output: first });
    world().replicate.script({ durationMs: 300, output: second });
    const bot = await world().startBot({ GUILD_CONCURRENCY: '1' });

    const running = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '111111111111111111', username: 'ana' },
      options: { prompt: 'a lighthouse in a storm' },
    });
    await bot.waitForLog('prediction created');
    // The first status poll comes after `running` (with the prediction id) is durable.
    await waitUntil(() => world().replicate.requestCount('get') > 0, { description: 'the first status poll' });
    const waiting = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '222222222222222222', username: 'ben' },
      options: { prompt: 'a paper boat on a river' },
    });
    await bot.waitForLog('job queued', { count: 2 });

    const killed = await bot.kill('SIGKILL');
    const killedAt = Date.now();
    expect(killed.signal).toBe('SIGKILL');
    expect(world().replicate.predictions).toHaveLength(1);
    const prediction = world().replicate.predictions[0]!;
    expect(statusAt(prediction, killedAt)).not.toBe('succeeded');
    const created = world().replicate.requestCount('create');

    const restarted = await world().startBot({ GUILD_CONCURRENCY: '1' });
    const delivered = await world().discord.waitFor(
      (d) => (d.interaction(running.id).original?.attachments.length ?? 0) > 0 && d.interaction(running.id),
      { timeoutMs: 20_000, description: 'the first video delivered after the restart' },
    );
    expect(delivered.original!.attachments[0]!.bytes.equals(first)).toBe(true);
    expect(delivered.original!.content).toContain('a lighthouse in a storm');
    const recovered = restarted.find('queue recovered')[0];
    expect(recovered).toMatchObject({ resume: 1, waiting: 1 });
    // One create before the kill; the restarted bot polled that same prediction (job 2's create is checked below).
    expect(created).toBe(1);
    expect(world().replicate.predictions[0]!.id).toBe(prediction.id);
    const polledAfterRestart = world().replicate.requests.filter((r) => r.route === 'get' && r.time > killedAt);
    expect(polledAfterRestart.some((r) => r.path === `/v1/predictions/${prediction.id}`)).toBe(true);

    const next = await world().discord.waitFor(
      (d) => (d.interaction(waiting.id).original?.attachments.length ?? 0) > 0 && d.interaction(waiting.id),
      { timeoutMs: 20_000, description: 'the waiting job delivered after the restart' },
    );
    expect(next.original!.attachments[0]!.bytes.equals(second)).toBe(true);
    expect(world().replicate.requestCount('create')).toBe(2);
    expect(world().replicate.predictions.map((p) => p.input.prompt)).toEqual([
      'a lighthouse in a storm',
      'a paper boat on a river',
    ]);
    // In order: with one slot per guild the waiting job starts only once the resumed one is delivered.
    const firstDeliveredAt = delivered.originalHistory.find((m) => m.attachments.length > 0)!.at;
    expect(world().replicate.predictions[1]!.createdAt).toBeGreaterThanOrEqual(firstDeliveredAt);

    // Both jobs recorded as done (the record follows what the member sees) before the operator stops the bot.
    await restarted.waitForLog('job done', { count: 2 });
    await restarted.kill('SIGTERM');
    const store = await world().openStore();
    try {
      expect(await store.listActiveJobs()).toEqual([]);
    } finally {
      await store.close();
    }
    for (const text of [bot.output, restarted.output, bot.stderr, restarted.stderr]) {
      for (const secret of [...world().secrets(), running.token, waiting.token]) expect(text).not.toContain(secret);
    }
  }, 60_000);
});
