/**
 * Acknowledgement latency: from INTERACTION_CREATE leaving the stand-in gateway to the deferral (callback type 5)
 * reaching the stand-in REST, both stamped by the fake Discord's clock (fake.ackLatencies()).
 *
 *   burst: 1,000 /video across 100 guilds sent at once, each from a distinct member.
 *   rate:  1,000 /video per second for 10 s (a batch every 10 ms), 10,000 in all.
 *
 * Predictions last an hour, so nothing finishes: the bot starts MAX_CONCURRENT_PREDICTIONS (default 4) and queues
 * the rest (queue limits raised). With `in-process` the fakes share the bot's event loop; with `child-process`
 * they run in bench/fakes-process.ts and the figure is the bot's alone (plus loopback I/O).
 *
 * The stand-ins listen with a backlog of 4096 (see FakeWorldOptions.backlog); pass `511` as a third argument to
 * keep Node's default and see the SYN drops a burst causes.
 *
 * `moderated` as a sixth argument turns every moderation rule on first (bench/lib/moderation.ts); `floor` instead
 * runs the defer-only discord.js bot of bench/lib/floor-bot.ts in place of the real one (the floor to compare with).
 *
 * Usage: tsx bench/ack-latency.ts [burst|rate] [in-process|child-process] [backlog] [rate per second] [moderated|floor]
 * (defaults: burst child-process 4096 1000; bench/run.ts runs every variant, each in its own process)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Events } from 'discord.js';
import { preciseClock } from './lib/fake-world.js';
import { startBenchBot } from './lib/bot.js';
import { startFloorBot } from './lib/floor-bot.js';
import { applyBenchModeration } from './lib/moderation.js';
import { startFakes, type FakesMode } from './lib/fakes.js';
import { listenOverflows, printTable, round, runIfMain, sleep, writeResult } from './lib/stats.js';
import { ackGuildCount as guildCount, driveAcks, measureAcks, type AckScenario } from './lib/ack-measure.js';

export type { AckScenario } from './lib/ack-measure.js';

export type AckSubject = 'bot' | 'moderated' | 'floor';

/** The bot under test, or the defer-only floor: what the measurement needs of either. */
async function startSubject(subject: AckSubject, endpoints: Awaited<ReturnType<typeof startFakes>>['endpoints']) {
  if (subject === 'floor') {
    const floor = await startFloorBot(endpoints);
    return { client: floor.client, queued: () => undefined, logLines: 0, logSample: [], abandon: () => void floor.stop() };
  }
  const bench = await startBenchBot(endpoints, { GUILD_QUEUE_LIMIT: '100000', USER_PENDING_LIMIT: '100' });
  if (subject === 'moderated') await applyBenchModeration(bench.bot, endpoints.guildIds);
  return {
    client: bench.bot.client,
    queued: () => bench.bot.queue.stats(),
    get logLines() {
      return bench.log.count;
    },
    get logSample() {
      return bench.log.lines.slice(0, 3);
    },
    abandon: () => bench.abandon(),
  };
}

export async function runAck(scenario: AckScenario, mode: FakesMode, backlog = 4096, perSecond = 1000, subject: AckSubject = 'bot') {
  const moderation = subject === 'moderated';
  const fakes = await startFakes(mode, { guildCount, predictionMs: 3_600_000, backlog });
  const bench = await startSubject(subject, fakes.endpoints);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  try {
    // Let start-up traffic (command registration, gateway guild creates) settle.
    await sleep(500);
    // When each INTERACTION_CREATE reached the bot: discord.js emits `raw` before it handles a packet.
    const arrived = new Map<string, number>();
    bench.client.on(Events.Raw, (packet: { t?: string; d?: { id?: string } }) => {
      if (packet.t === 'INTERACTION_CREATE' && packet.d?.id) arrived.set(packet.d.id, preciseClock.now());
    });
    loop.enable();
    const overflowsBefore = listenOverflows();
    const connectionsBefore = await fakes.connectionCounts();
    let cpuBefore = process.cpuUsage();
    const { total, pacing, allAckedMs } = await driveAcks(fakes, scenario, perSecond, () => {
      cpuBefore = process.cpuUsage();
    });
    const cpu = process.cpuUsage(cpuBefore);
    loop.disable();
    const overflowsAfter = listenOverflows();
    const connectionsAfter = await fakes.connectionCounts();
    const queue = bench.queued();
    // After the acknowledgement each job is persisted (SQLite) before it counts as queued: watch that backlog drain
    // for up to 10 s to see the store's throughput. (The floor bot queues nothing.)
    const persisted: { afterS: number; queued: number }[] = [];
    for (let s = 0; s <= 10 && queue; s++) {
      const now = bench.queued()!;
      persisted.push({ afterS: s, queued: now.waiting + now.running });
      if (now.waiting + now.running >= total) break;
      await sleep(1000);
    }
    const samples = await fakes.ackSamples();
    const measured = measureAcks(samples, arrived, total);
    const result = {
      bench: 'ack-latency',
      scenario,
      subject,
      moderation,
      perSecond: scenario === 'rate' ? perSecond : undefined,
      fakes: mode,
      backlog,
      interactions: total,
      guilds: guildCount,
      ...measured,
      allAckedAfterMs: round(allAckedMs, 0),
      pacing,
      /** CPU time of this process (the bot, plus the fakes when in-process) from first send to last acknowledgement. */
      processCpuMs: round((cpu.user + cpu.system) / 1000, 0),
      processCpuMsPerInteraction: round((cpu.user + cpu.system) / 1000 / total, 3),
      /** New TCP connections the bot opened to the stand-in Discord during the run. */
      discordConnections: connectionsAfter.discord - connectionsBefore.discord,
      /** Host-wide accept-queue overflows during the run (SYNs dropped, retried by the client after 1 s, 3 s...). */
      listenOverflows:
        overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore,
      botEventLoopDelayMs: {
        p50: round(loop.percentile(50) / 1e6, 1),
        p99: round(loop.percentile(99) / 1e6, 1),
        max: round(loop.max / 1e6, 1),
      },
      queueWhenAllAcked: queue,
      /** Jobs persisted and queued, each second after the last acknowledgement (accepting = admitted, not yet saved). */
      queuedAfterAcks: persisted,
      botLogLines: bench.logLines,
      botLogSample: bench.logSample,
    };
    const suffix =
      (backlog === 4096 ? '' : `-backlog${backlog}`) +
      (scenario === 'rate' && perSecond !== 1000 ? `-${perSecond}ps` : '') +
      (subject === 'bot' ? '' : `-${subject}`);
    writeResult(`ack-${scenario}-${mode}${suffix}`, result);
    const what = scenario === 'rate' ? `rate ${perSecond}/s for 10 s` : 'burst of 1,000';
    printTable(`ack latency, ${what}, fakes ${mode}, backlog ${backlog}${moderation ? ', moderation on' : ''}${subject === 'floor' ? ', FLOOR (defer-only bot)' : ''}`, [
      {
        interactions: total,
        accepted: measured.accepted,
        'p50 ms': result.latencyMs.p50!,
        'p99 ms': result.latencyMs.p99!,
        'max ms': result.latencyMs.max!,
        '< 3 s %': result.underDeadlinePct,
        'gw leg p50/p99': `${result.gatewayLegMs.p50}/${result.gatewayLegMs.p99}`,
        'bot leg p50/p99': `${result.botLegMs.p50}/${result.botLegMs.p99}`,
        'bot loop p99/max ms': `${result.botEventLoopDelayMs.p99}/${result.botEventLoopDelayMs.max}`,
        'cpu ms/interaction': result.processCpuMsPerInteraction,
        connections: result.discordConnections,
        'queued 10 s later': persisted.at(-1)?.queued ?? 'n/a',
        'listen overflows': result.listenOverflows ?? 'n/a',
      },
    ]);
    return result;
  } finally {
    // No graceful stop: it would wait for every pending store write (minutes after 10,000 jobs). The process exits.
    bench.abandon();
    await fakes.close();
  }
}

runIfMain(import.meta.url, async () => {
  const scenarios: AckScenario[] = [(process.argv[2] as AckScenario | undefined) ?? 'burst'];
  const modes: FakesMode[] = [(process.argv[3] as FakesMode | undefined) ?? 'child-process'];
  const backlog = process.argv[4] ? Number(process.argv[4]) : undefined;
  const perSecond = process.argv[5] ? Number(process.argv[5]) : undefined;
  const subject: AckSubject = process.argv[6] === 'moderated' || process.argv[6] === 'floor' ? process.argv[6] : 'bot';
  if (scenarios.length * modes.length > 1) throw new Error('run one scenario per process: tsx bench/ack-latency.ts <scenario> <mode>');
  for (const scenario of scenarios) for (const mode of modes) await runAck(scenario, mode, backlog, perSecond, subject);
});
