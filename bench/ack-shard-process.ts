/**
 * One shard of the bot for bench/ack-sharded.ts, in a process of its own: the real bot (bench/lib/bot.ts) with
 * SHARDS / SHARD_COUNT and the shared store in its config, as the sharding manager's child runs it. It records when
 * each INTERACTION_CREATE reached it (and its guild), its event-loop delay and its CPU time, read over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Events } from 'discord.js';
import { preciseClock, type FakeEndpoints } from './lib/fake-world.js';
import { startBenchBot, type BenchBot } from './lib/bot.js';
import { round } from './lib/stats.js';

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

/** One INTERACTION_CREATE as this shard saw it: interaction id, arrival (wall-clock ms), guild id. */
export type ShardArrival = [id: string, at: number, guildId: string | null];

export interface ShardReading {
  /** process.cpuUsage() in µs. */
  cpu: { user: number; system: number };
  loopMs: { p50: number; p99: number; max: number };
  queue: { waiting: number; running: number; accepting: number } | undefined;
}

let bench: BenchBot | undefined;
const arrivals: ShardArrival[] = [];
const loop = monitorEventLoopDelay({ resolution: 5 });

function reading(): ShardReading {
  return {
    cpu: process.cpuUsage(),
    loopMs: { p50: round(loop.percentile(50) / 1e6, 1), p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) },
    queue: bench?.bot.queue.stats(),
  };
}

const methods: Record<string, (...args: never[]) => unknown> = {
  async start(endpoints: FakeEndpoints, env: Record<string, string>) {
    bench = await startBenchBot(endpoints, env);
    // discord.js emits `raw` before it handles a packet.
    bench.bot.client.on(Events.Raw, (packet: { t?: string; d?: { id?: string; guild_id?: string } }) => {
      if (packet.t === 'INTERACTION_CREATE' && packet.d?.id) arrivals.push([packet.d.id, preciseClock.now(), packet.d.guild_id ?? null]);
    });
    return { guilds: bench.bot.client.guilds.cache.size };
  },
  begin() {
    loop.reset();
    loop.enable();
    return reading();
  },
  end() {
    loop.disable();
    return reading();
  },
  reading,
  arrivals: () => arrivals,
  log: () => ({ lines: bench?.log.count ?? 0, sample: bench?.log.lines.slice(0, 3) ?? [] }),
};

process.on('message', (message: Call) => {
  Promise.resolve()
    .then(() => {
      const fn = methods[message.method];
      if (!fn) throw new Error(`no method ${message.method}`);
      return (fn as (...args: unknown[]) => unknown)(...message.args);
    })
    .then(
      (result) => process.send?.({ id: message.id, result }),
      (err: unknown) => process.send?.({ id: message.id, error: String((err as Error)?.stack ?? err) }),
    );
});
// No graceful stop (it would wait for every pending store write): the bench kills this process when done.
process.on('disconnect', () => {
  bench?.abandon();
  process.exit(0);
});
process.send?.({ id: 0, result: 'ready' });
