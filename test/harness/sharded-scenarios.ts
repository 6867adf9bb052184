import { expect } from 'vitest';
import { waitUntil } from './bot-process.js';
import { linesOf, readyShards, type ShardedWorld } from './sharded-world.js';

const mp4 = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, fill)]);

/**
 * Two shards through the sharding manager on a shared store: each serves its own guild; shard 1 is killed with
 * SIGKILL mid-prediction, respawned by the manager, and delivers its job from the same prediction, while shard 0's
 * job goes on untouched. One prediction per job, counted at the fake Replicate.
 */
export async function killOneShardMidPrediction(world: ShardedWorld): Promise<void> {
  const video = mp4(7);
  world.replicate.script({ durationMs: 4_000, output: video });
  world.replicate.script({ durationMs: 4_000, output: video });
  const manager = await world.startManager();
  const before = readyShards(manager);
  expect([...before.keys()].sort()).toEqual([0, 1]);

  const ask = (shard: number, user: string, prompt: string) =>
    world.discord.sendSlashCommand({
      name: 'video',
      guildId: world.guildOf(shard).id,
      channelId: world.guildOf(shard).channels[0]!.id,
      user: { id: user, username: `member${shard}` },
      options: { prompt },
    });
  const onZero = ask(0, '111111111111111111', 'a lighthouse in a storm');
  const onOne = ask(1, '222222222222222222', 'a paper boat on a river');
  await waitUntil(() => world.replicate.predictions.length === 2, { description: 'both predictions created' });
  await waitUntil(() => linesOf(manager, 0, 'prediction created').length + linesOf(manager, 1, 'prediction created').length === 2, {
    description: 'both shards logged their prediction',
  });
  // Each job ran on the shard that owns its guild.
  expect(linesOf(manager, 0, 'prediction created').map((e) => e.guildId)).toEqual([world.guildOf(0).id]);
  expect(linesOf(manager, 1, 'prediction created').map((e) => e.guildId)).toEqual([world.guildOf(1).id]);
  await waitUntil(() => world.replicate.requestCount('get') >= 2, { description: 'status polls of both' });

  const killedPid = before.get(1)!;
  process.kill(killedPid, 'SIGKILL');
  await manager.waitForLog('shard exited; respawning it');
  await waitUntil(() => (readyShards(manager).get(1) ?? killedPid) !== killedPid, { description: 'shard 1 respawned', timeoutMs: 30_000 });

  for (const sent of [onZero, onOne]) {
    const record = await world.discord.waitFor(
      (d) => (d.interaction(sent.id).original?.attachments.length ?? 0) > 0 && d.interaction(sent.id),
      { timeoutMs: 30_000, description: 'the video delivered' },
    );
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    await world.discord.waitFor((d) => d.interaction(sent.id).followUps.length === 1, { description: 'the ready ping' });
  }
  expect(world.replicate.predictions).toHaveLength(2);
  expect(world.replicate.requestCount('create')).toBe(2);
  // Shard 0 never stopped or restarted: same process, no stop, no recovery of a job.
  expect(readyShards(manager).get(0)).toBe(before.get(0));
  expect(linesOf(manager, 0, 'stopping')).toEqual([]);
  expect(linesOf(manager, 0).filter((e) => e.pid !== before.get(0))).toEqual([]);
  // The respawned shard 1 took over the lease of the killed one at once and resumed its own job only.
  expect(linesOf(manager, 1, 'taking over the lease of a bot process that is gone')).toMatchObject([{ owner: 'shard-1', pid: killedPid }]);
  expect(linesOf(manager, 1, 'queue recovered').at(-1)).toMatchObject({ resume: 1 });
  world.discord.assertNoUnexpectedRequests();
}
