/**
 * Acknowledgement latency with the bot as two shard processes (issue 7, benchmark 4): the same load as
 * bench/ack-latency.ts with the fakes in their child process (burst of 1,000, or 1,000/s for 10 s, 100 guilds), the
 * guilds spread evenly over the shards, each shard the real bot in its own process (bench/lib/shard-bots.ts) on one
 * shared SQLite file. CPU per interaction is summed over both shard processes (process.cpuUsage() in each, read over
 * IPC at the first send and the last acknowledgement), with the per-shard split.
 *
 * Checks, and exits 1 when one fails: every interaction got its callback (one past Discord's 3 s is refused by the
 * fake and shows as not accepted: a figure, not a failure), each reached exactly one shard, and that shard is the one
 * Discord's formula names for its guild.
 *
 * Usage: tsx bench/ack-sharded.ts [burst|rate] [shards] [rate per second] (defaults: rate 2 1000; bench/run.ts:
 * ack:*-child-2shards)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { shardOfGuild } from '../test/fakes/discord/fake-discord.js';
import { ackGuildCount, driveAcks, measureAcks, type AckScenario } from './lib/ack-measure.js';
import { startFakes } from './lib/fakes.js';
import { startShardBots, type ShardBot } from './lib/shard-bots.js';
import type { ShardReading } from './ack-shard-process.js';
import { listenOverflows, printTable, round, runIfMain, sleep, summarize, writeResult } from './lib/stats.js';

/** CPU time (user + system, ms) of a process from /proc/<pid>/stat; undefined off Linux. */
function procCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}
let ticks: number | undefined;
const clockTicks = () => (ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

const cpuMs = (r: ShardReading) => (r.cpu.user + r.cpu.system) / 1000;

export async function runShardedAck(scenario: AckScenario, shardCount = 2, perSecond = 1000) {
  const fakes = await startFakes('child-process', { guildCount: ackGuildCount, predictionMs: 3_600_000, backlog: 4096, shardCount });
  const bots = await startShardBots(fakes.endpoints, shardCount, { GUILD_QUEUE_LIMIT: '100000', USER_PENDING_LIMIT: '100' });
  try {
    // Let start-up traffic (command registration, gateway guild creates) settle.
    await sleep(500);
    const overflowsBefore = listenOverflows();
    const connectionsBefore = await fakes.connectionCounts();
    let before: ShardReading[] = [];
    let fakesCpuBefore: number | undefined;
    const { total, pacing, allAckedMs } = await driveAcks(fakes, scenario, perSecond, async () => {
      before = await Promise.all(bots.shards.map((s) => s.begin()));
      fakesCpuBefore = procCpuMs(fakes.pid);
    });
    const after = await Promise.all(bots.shards.map((s) => s.end()));
    const fakesCpuAfter = procCpuMs(fakes.pid);
    const overflowsAfter = listenOverflows();
    const connectionsAfter = await fakes.connectionCounts();
    const queueWhenAllAcked = after.map((r) => r.queue);
    const persisted: { afterS: number; queued: number }[] = [];
    for (let s = 0; s <= 10; s++) {
      const readings = await Promise.all(bots.shards.map((b) => b.reading()));
      const queued = readings.reduce((n, r) => n + (r.queue ? r.queue.waiting + r.queue.running : 0), 0);
      persisted.push({ afterS: s, queued });
      if (queued >= total) break;
      await sleep(1000);
    }

    const samples = await fakes.ackSamples();
    const arrivalsByShard = await Promise.all(bots.shards.map((s) => s.arrivals()));
    const arrived = new Map<string, number>();
    const seenBy = new Map<string, number>();
    let duplicateArrivals = 0;
    arrivalsByShard.forEach((list, shard) => {
      for (const [id, at] of list) {
        if (seenBy.has(id)) duplicateArrivals++;
        seenBy.set(id, shard);
        arrived.set(id, at);
      }
    });
    const measured = measureAcks(samples, arrived, total);
    const attempts = new Map<string, number[]>();
    for (const s of samples) attempts.set(s.interactionId, [...(attempts.get(s.interactionId) ?? []), s.latencyMs]);
    // @discordjs/rest gives up on a request after 15 s and sends it again: on a starved machine a callback can reach
    // the fake twice. A figure, not a failure (the second is answered 10062, as Discord would).
    const repeated = [...attempts.values()].filter((l) => l.length > 1);
    const checks = {
      /** Every interaction has a callback (accepted, or answered 10062 when past 3 s: see `accepted`). */
      everyInteractionACallback: attempts.size === total,
      /** Every interaction reached exactly one shard... */
      everyInteractionOneShard: seenBy.size === total && duplicateArrivals === 0 && samples.every((s) => seenBy.has(s.interactionId)),
      /** ...the one `(guild_id >> 22) % count` names. */
      onlyOwnGuilds: arrivalsByShard.every((list, shard) => list.every(([, , guild]) => guild !== null && shardOfGuild(guild, shardCount) === shard)),
    };

    const perShard = bots.shards.map((bot: ShardBot, i) => {
      const list = arrivalsByShard[i]!;
      const cpu = cpuMs(after[i]!) - cpuMs(before[i]!);
      const own = samples.filter((s) => seenBy.get(s.interactionId) === i);
      const ownSummary = measureAcks(own, arrived, own.length);
      return {
        shard: bot.shard,
        pid: bot.pid,
        interactions: list.length,
        accepted: ownSummary.accepted,
        guilds: new Set(list.map(([, , g]) => g)).size,
        latencyMs: ownSummary.latencyMs,
        cpuMs: round(cpu, 0),
        cpuMsPerOwnInteraction: round(cpu / (list.length || 1), 3),
        eventLoopDelayMs: after[i]!.loopMs,
      };
    });
    const shardCpuMs = perShard.reduce((n, s) => n + s.cpuMs, 0);
    const logs = await Promise.all(bots.shards.map((s) => s.log()));
    const result = {
      bench: 'ack-latency',
      scenario,
      subject: `bot, ${shardCount} shard processes`,
      perSecond: scenario === 'rate' ? perSecond : undefined,
      fakes: 'child-process',
      backlog: 4096,
      shards: shardCount,
      interactions: total,
      guilds: ackGuildCount,
      ...measured,
      checks,
      /** Interactions whose callback reached the fake more than once, and the latencies of those attempts. */
      repeatedCallbacks: { interactions: repeated.length, attemptLatencyMs: summarize(repeated.flat()) },
      allAckedAfterMs: round(allAckedMs, 0),
      pacing,
      /** CPU time of every shard process together, first send to last acknowledgement. */
      shardsCpuMs: shardCpuMs,
      shardsCpuMsPerInteraction: round(shardCpuMs / total, 3),
      /** The fakes' process over the same span (/proc/<pid>/stat, clock-tick resolution). */
      fakesCpuMs: fakesCpuBefore === undefined || fakesCpuAfter === undefined ? undefined : round(fakesCpuAfter - fakesCpuBefore, 0),
      perShard,
      discordConnections: connectionsAfter.discord - connectionsBefore.discord,
      listenOverflows: overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore,
      queueWhenAllAcked,
      queuedAfterAcks: persisted,
      botLogLines: logs.reduce((n, l) => n + l.lines, 0),
      botLogSample: logs.flatMap((l) => l.sample).slice(0, 3),
    };
    writeResult(`ack-${scenario}-child-process-${shardCount}shards${scenario === 'rate' && perSecond !== 1000 ? `-${perSecond}ps` : ''}`, result);
    const what = scenario === 'rate' ? `rate ${perSecond}/s for 10 s` : 'burst of 1,000';
    printTable(`ack latency, ${what}, fakes child-process, backlog 4096, bot as ${shardCount} shard processes`, [
      {
        interactions: total,
        accepted: measured.accepted,
        'p50 ms': measured.latencyMs.p50!,
        'p99 ms': measured.latencyMs.p99!,
        'max ms': measured.latencyMs.max!,
        '< 3 s %': measured.underDeadlinePct,
        'gw leg p50/p99': `${measured.gatewayLegMs.p50}/${measured.gatewayLegMs.p99}`,
        'bot leg p50/p99': `${measured.botLegMs.p50}/${measured.botLegMs.p99}`,
        'cpu ms/interaction (all shards)': result.shardsCpuMsPerInteraction,
        connections: result.discordConnections,
        'queued 10 s later': persisted.at(-1)?.queued ?? 'n/a',
        'listen overflows': result.listenOverflows ?? 'n/a',
      },
    ]);
    printTable('per shard', perShard.map((s) => ({
      shard: s.shard,
      interactions: s.interactions,
      accepted: s.accepted,
      guilds: s.guilds,
      'p50 ms': s.latencyMs.p50!,
      'p99 ms': s.latencyMs.p99!,
      'max ms': s.latencyMs.max!,
      'cpu ms': s.cpuMs,
      'cpu ms/own interaction': s.cpuMsPerOwnInteraction,
      'loop p99/max ms': `${s.eventLoopDelayMs.p99}/${s.eventLoopDelayMs.max}`,
    })));
    console.log(`fakes process CPU: ${result.fakesCpuMs ?? 'n/a'} ms; callbacks sent twice: ${repeated.length}; checks: ${Object.entries(checks).map(([k, v]) => `${k} ${v ? 'ok' : 'FAILED'}`).join(', ')}`);
    const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
    if (failed.length) throw new Error(`ack-sharded: check failed: ${failed.join(', ')}`);
    return result;
  } finally {
    await bots.abandon();
    await fakes.close();
  }
}

runIfMain(import.meta.url, async () => {
  const scenario: AckScenario = process.argv[2] === 'burst' ? 'burst' : 'rate';
  await runShardedAck(scenario, process.argv[3] ? Number(process.argv[3]) : 2, process.argv[4] ? Number(process.argv[4]) : 1000);
});
