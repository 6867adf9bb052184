/**
 * Recovery (issue 7, benchmark 2): a restart with 1,000 persisted jobs in mixed states (bench/lib/recovery-seed.ts)
 * on SQLite, Redis or PostgreSQL. The real bot (startBot, production timings) starts on the seeded store against the
 * stand-ins in a child process; measured from the startBot call:
 *   - until every running job's prediction had its first status read at the fake Replicate (target < 2 s),
 *   - the `queue recovered` line (the waiting jobs are back in line) and `bot ready` (logged in),
 *   - until the starting jobs' predictions were adopted and polled, and the delivering jobs were done,
 *   - peak RSS of the bot process while it recovers,
 * and checked: no prediction created (every running and starting job has its prediction already), 300 waiting.
 *
 * Usage: node --expose-gc --import tsx bench/recovery.ts sqlite|redis|postgres
 * Redis and PostgreSQL read BENCH_REDIS_URL / BENCH_POSTGRES_URL, else TEST_REDIS_URL (database 15 when the URL
 * names none) / TEST_POSTGRES_URL. Use a scratch store: open jobs of owner `main` left in it are ended first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '../src/storage/store-error.js';
import { CountingLog, startBenchBot, type BenchBot } from './lib/bot.js';
import { startFakes } from './lib/fakes.js';
import { collectGarbage, peakRss, resetPeakRss, startSampler } from './lib/memory.js';
import { seedRecovery } from './lib/recovery-seed.js';
import { mib, percentile, printTable, round, runIfMain, sleep, until, writeResult } from './lib/stats.js';

type StoreKind = 'sqlite' | 'redis' | 'postgres';
const targetMs = 2_000;
const wallNow = () => performance.timeOrigin + performance.now();

/** Counts lines like CountingLog and stamps the first of the lines the bench waits for; keeps trouble (warn+). */
class TimedLog extends CountingLog {
  readonly firstAt: Record<string, number> = {};
  readonly lastAt: Record<string, number> = {};
  readonly counts: Record<string, number> = {};
  readonly trouble: string[] = [];
  /** Job ids of the `prediction created` lines. */
  readonly createdFor: string[] = [];
  constructor(private readonly watched: readonly string[]) {
    super();
  }
  override write(line: string): void {
    super.write(line);
    for (const msg of this.watched) {
      if (!line.includes(`"msg":"${msg}"`)) continue;
      this.firstAt[msg] ??= wallNow();
      this.lastAt[msg] = wallNow();
      this.counts[msg] = (this.counts[msg] ?? 0) + 1;
    }
    if (line.includes('"msg":"prediction created"')) this.createdFor.push(/"jobId":"([^"]+)"/.exec(line)?.[1] ?? '?');
    if (this.trouble.length < 10 && /"level":(40|50|60)/.test(line)) this.trouble.push(line.trim().slice(0, 400));
  }
}

function storageUrl(kind: StoreKind, dir: string): string | undefined {
  if (kind === 'sqlite') return `sqlite://${join(dir, 'bot.sqlite')}`;
  if (kind === 'postgres') return process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
  if (process.env.BENCH_REDIS_URL) return process.env.BENCH_REDIS_URL;
  const test = process.env.TEST_REDIS_URL;
  if (!test) return undefined;
  const url = new URL(test);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/15';
  return url.toString();
}

export async function runRecovery(kind: StoreKind) {
  const dir = mkdtempSync(join(tmpdir(), 'bot-recovery-'));
  const url = storageUrl(kind, dir);
  if (!url) {
    const names = kind === 'redis' ? 'BENCH_REDIS_URL or TEST_REDIS_URL' : 'BENCH_POSTGRES_URL or TEST_POSTGRES_URL';
    console.log(`recovery:${kind} skipped: set ${names} to a scratch ${kind === 'redis' ? 'Redis' : 'PostgreSQL'} store`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const fakes = await startFakes('child-process', { guildCount: 100, predictionMs: 3_600_000, backlog: 4096 });
  let bench: BenchBot | undefined;
  try {
    const seeded = await seedRecovery(url, fakes);
    const before = await fakes.replicateRequestCounts();
    collectGarbage();
    await sleep(200);
    const rssBefore = process.memoryUsage().rss;
    resetPeakRss();
    const sampler = startSampler(10);
    const log = new TimedLog(['queue recovered', 'bot ready', 'prediction adopted', 'prediction created', 'job done']);
    const env = {
      STORAGE_URL: url,
      LOG_LEVEL: 'info',
      // The 600 running and 50 starting fill the cap; the 50 delivering hold slots beyond it until they are done
      // (recovered jobs may exceed the caps for a while). No waiting job starts, so any create would be a duplicate.
      MAX_CONCURRENT_PREDICTIONS: '650',
      GUILD_CONCURRENCY: '8',
      GUILD_QUEUE_LIMIT: '100',
    };
    const load = loadavg();
    // BENCH_CPU_PROFILE=file.cpuprofile: a CPU profile of this process from startBot to the last running job polled.
    const profile = process.env.BENCH_CPU_PROFILE ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    const t0 = wallNow();
    let startFailed: unknown;
    let startedAt: number | undefined;
    const starting = startBenchBot(fakes.endpoints, env, {}, log).then((b) => {
      startedAt = wallNow();
      bench = b;
      return b;
    });
    starting.catch((err: unknown) => (startFailed = err));
    const readsOf = async (ids: readonly string[]) => {
      if (startFailed) throw startFailed;
      const reads = await fakes.firstStatusReads(t0);
      return ids.every((id) => reads[id] !== undefined) ? reads : undefined;
    };
    const runningReads = (await until(() => readsOf(seeded.runningPredictions), 60_000, 'every running job polled', 10))!;
    const allRunningPolledAt = wallNow();
    if (profile) {
      const { profile: taken } = await profile.post('Profiler.stop');
      writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(taken));
      profile.disconnect();
    }
    await starting;
    const adoptedReads = (await until(() => readsOf(seeded.startingPredictions), 60_000, 'the adopted predictions polled', 20))!;
    await until(() => (log.counts['job done'] ?? 0) >= seeded.byState.delivering!, 60_000, 'the delivering jobs done', 50);
    // A second more: a duplicate create would come right after the adoption look-ups.
    await sleep(1_000);
    const sampled = sampler.stop();
    const peak = Math.max(peakRss() ?? 0, sampled.maxRss);
    const after = await fakes.replicateRequestCounts();
    const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    const since = (at: number | undefined) => (at === undefined ? Number.NaN : round(at - t0, 0));
    const firstPolls = seeded.runningPredictions.map((id) => runningReads[id]! - t0);
    const lastPollMs = Math.max(...firstPolls);
    const stats = bench!.bot.queue.stats();
    // discord.js sends every request (webhooks too) under one global 50/s budget: what queued ahead of the login.
    const timeline = await fakes.discordTimeline(t0);
    const loginAt = timeline.findIndex((r) => r.route === 'GET /gateway/bot');
    const login = { sentAfterMs: loginAt < 0 ? Number.NaN : round(timeline[loginAt]!.at - t0, 0), requestsBefore: loginAt };
    const discordPerSecond: Record<string, Record<string, number>> = {};
    for (const r of timeline) {
      const second = `${Math.floor((r.at - t0) / 1000)}s`;
      const bucket = (discordPerSecond[second] ??= {});
      bucket[r.route] = (bucket[r.route] ?? 0) + 1;
    }
    const result = {
      bench: `recovery-${kind}`,
      store: redactUrl(url),
      loadAverageAtStart: load.map((l) => round(l, 2)),
      seeded: { ...seeded, runningPredictions: undefined, startingPredictions: undefined, queuedJobIds: undefined, seedMs: round(seeded.seedMs, 0) },
      targetMs,
      ms: {
        botReady: since(log.firstAt['bot ready']),
        startBotResolved: since(startedAt),
        queueRecovered: since(log.firstAt['queue recovered']),
        firstRunningPolled: round(Math.min(...firstPolls), 0),
        runningPolledP50: round(percentile(firstPolls, 50), 0),
        allRunningPolled: round(lastPollMs, 0),
        allRunningPolledSeenByBench: round(allRunningPolledAt - t0, 0),
        allAdoptedPolled: round(Math.max(...seeded.startingPredictions.map((id) => adoptedReads[id]! - t0)), 0),
        firstAdopted: since(log.firstAt['prediction adopted']),
        allDeliveringDone: since(log.lastAt['job done']),
      },
      met: lastPollMs < targetMs,
      queueAfter: stats,
      replicateRequests: { creates: delta('create'), statusReads: delta('get'), lists: delta('list'), outputs: delta('output') },
      adopted: log.counts['prediction adopted'] ?? 0,
      created: log.counts['prediction created'] ?? 0,
      createdForJobs: log.createdFor,
      delivered: log.counts['job done'] ?? 0,
      rss: { beforeMiB: mib(rssBefore), peakMiB: mib(peak), addedMiB: mib(peak - rssBefore) },
      login,
      discordPerSecond,
      discordRequests: await fakes.discordRequestCounts(),
      botLogLines: log.count,
      botTrouble: log.trouble,
    };
    writeResult(`recovery-${kind}`, result);
    printTable(`recovery on ${kind}: 1,000 open jobs (${Object.entries(seeded.byState).map(([s, n]) => `${n} ${s}`).join(', ')}), ms from startBot`, [
      {
        store: kind,
        'queue recovered': result.ms.queueRecovered,
        'bot ready': result.ms.botReady,
        'Discord reqs before login': login.requestsBefore,
        'running polled p50': result.ms.runningPolledP50,
        'all 600 polled': `${result.ms.allRunningPolled} ${result.met ? '✅' : '❌'}`,
        '50 adopted polled': result.ms.allAdoptedPolled,
        creates: result.replicateRequests.creates,
        waiting: stats.waiting,
        'peak RSS MiB': result.rss.peakMiB,
        'RSS added MiB': result.rss.addedMiB,
      },
    ]);
    if (result.replicateRequests.creates !== 0) console.log(`❌ ${result.replicateRequests.creates} predictions created during recovery (expected 0)`);
    if (log.trouble.length) console.log(`bot warnings (first ${log.trouble.length}):\n  ${log.trouble.join('\n  ')}`);
    return result;
  } finally {
    // A graceful stop gives the owner's lease back, so the next run on Redis or PostgreSQL need not wait for it.
    const stopping = performance.now();
    await Promise.race([bench?.stop(), sleep(Number(process.env.BENCH_STOP_WAIT_MS ?? 20_000))]);
    if (bench) console.log(`graceful stop of the bot: ${round(performance.now() - stopping, 0)} ms`);
    bench?.abandon(); // the bench bot's own temp dir, when the stop did not finish within the wait
    await fakes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, async () => {
  const kind = (process.argv[2] ?? 'sqlite') as StoreKind;
  if (!['sqlite', 'redis', 'postgres'].includes(kind)) throw new Error(`unknown store ${kind}; use sqlite, redis or postgres`);
  await runRecovery(kind);
});
