/**
 * The chaos soak: the real bot as a child process (test/harness/soak-bot-main.ts: src/main.ts with the store
 * wrapped by the fault-injecting store) against the loopback stand-ins, behind fault proxies
 * (bot → proxy → fake), with members sending /video across guilds, some with images, some pressing Cancel, pairs
 * of members pressing Regenerate on one video at once, while the bot is killed with SIGKILL and restarted on the
 * same store, or frozen past its lease while a successor takes over and then resumed. Then one more restart with
 * every fault off, so a delivery replayed from a stale record shows up too, and the tally (tally.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/storage/keyv-store.js';
import { startFakeDiscord, type FakeDiscord, type FakeGuild } from '../../test/fakes/discord/fake-discord.js';
import { createSnowflakes } from '../../test/fakes/discord/snowflake.js';
import { startFakeReplicate, type FakeReplicate } from '../../test/fakes/replicate/fake-replicate.js';
import { isoDay } from '../../src/quota/period.js';
import { startFaultProxy, type FaultProxy } from '../../test/harness/fault-proxy.js';
import { RedisServer } from '../../test/harness/redis-server.js';
import { afterResume, WireLog, wroteAfterResume, type AfterResume } from './after-resume.js';
import { BotLogs } from './bot-logs.js';
import { BotSupervisor } from './bot-supervisor.js';
import { discordChaos, replicateChaos, type ChaosOptions } from './chaos.js';
import { Members } from './members.js';
import { explain, observe, observeWithStore, readUsageRows, storeFaultCounts, type Explanations } from './observe.js';
import { makePlan, type PlannedJob, type SoakOptions, type SoakPlan } from './plan.js';
import { startRedisChaos, type RedisChaos } from './redis-chaos.js';
import { judge, judgeAll, totals, type JobObservation, type JobVerdict, type SoakTotals } from './tally.js';

export interface SoakReport {
  options: SoakOptions;
  plan: SoakPlan;
  verdicts: JobVerdict[];
  totals: SoakTotals;
  kills: number;
  /** Each lease holder frozen past its lease, and what it did after it was resumed. */
  freezes: AfterResume[];
  /** Regenerate pairs pressed (of `options.regenerates`; a pair waits for its video, which may never come). */
  regeneratePairsPressed: number;
  /** Bot starts in all (the first, one after each kill, retries of failed starts, the final check). */
  starts: number;
  failedStarts: number;
  faults: { replicate: Record<string, number>; discord: Record<string, number>; store: Record<string, number> };
  /** Real ms from the first submission until every accepted job had ended (undefined: some never did). */
  finishMs: number | undefined;
  /** Why the wait ended: every job ended, no job ended for `idleMs`, or `timeoutMs` passed. */
  endedBy: 'all ended' | 'idle' | 'timeout';
  /** Real ms from the first submission to the last job that did end. */
  lastEndMs: number | undefined;
  wallMs: number;
  /** Targets missed, in words; empty when the soak holds its target. */
  misses: string[];
  /** For each class of miss, a few jobs with the log lines that explain them. */
  explanations: Explanations;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Log lines that end a job; the final check waits for one per job it recovered. */
const terminalLines = ['job done', 'job failed', 'job failed unexpectedly', 'job canceled', 'job could not be settled'];

/** Everything a run holds while it goes: stand-ins, proxies, the bot, members. */
interface Run {
  o: SoakOptions;
  plan: SoakPlan;
  discord: FakeDiscord;
  replicate: FakeReplicate;
  logs: BotLogs;
  bots: BotSupervisor;
  members: Members;
  chaos: ChaosOptions;
  progress: (line: string) => void;
  startedAt: number;
  kills: number;
  freezes: AfterResume[];
  wire: WireLog;
  /** Prompts of Regenerate pairs pressed, with how many of their creates are still to be made ambiguous. */
  ambiguous: Map<string, number>;
  stopped: boolean;
}

/**
 * Runs the soak; `progress` gets a line now and then, `logPath` (if given) every bot log line as JSON lines, each
 * with `bot` (1 = the first process started).
 */
export async function runSoak(
  o: SoakOptions,
  progress: (line: string) => void = () => undefined,
  logPath?: string,
): Promise<SoakReport> {
  const plan = makePlan(o);
  const startedWall = Date.now();
  const newId = createSnowflakes(() => Date.now());
  const guilds: FakeGuild[] = Array.from({ length: o.guilds }, (_, i) => ({
    id: newId(),
    name: `Soak Guild ${i + 1}`,
    channels: [{ id: newId(), name: 'videos' }],
  }));
  const dir = mkdtempSync(join(tmpdir(), 'bot-soak-'));
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // `redis`: a redis-server of the soak's own, so its maxmemory storms disturb no one else's Redis.
    const ownRedis = o.store === 'redis' ? await RedisServer.start() : undefined;
    if (ownRedis) closers.push(() => ownRedis.close());
    const storageUrl = o.store === 'sqlite' ? `sqlite://${join(dir, 'bot.sqlite')}` : (ownRedis?.url ?? o.store);
    const discord = await startFakeDiscord({ guilds });
    closers.push(() => discord.close());
    const replicate = await startFakeReplicate({ defaultDurationMs: o.predictionMs[1] });
    closers.push(() => replicate.close());
    for (const s of plan.scripts) replicate.script(s);
    const ambiguous = new Map<string, number>();
    const chaos: ChaosOptions = {
      seed: o.seed,
      scale: o.chaos,
      storms: plan.storms,
      startedAt: () => run.startedAt,
      outputOutageRate: o.outputOutageRate,
      outputOutageMs: o.outputOutageMs,
      ambiguousCreate: (prompt) => {
        const left = ambiguous.get(prompt) ?? 0;
        if (left > 0) ambiguous.set(prompt, left - 1);
        return left > 0;
      },
    };
    const wire = new WireLog();
    const proxies: FaultProxy[] = [
      await startFaultProxy(new URL(replicate.baseUrl).origin, wire.watch('replicate', replicateChaos(chaos)), { rewriteOrigin: true, tagged: true }),
      await startFaultProxy(new URL(discord.apiUrl).origin, wire.watch('discord', discordChaos(chaos)), { tagged: true }),
    ];
    closers.push(() => Promise.all(proxies.map((p) => p.close())));
    const [replicateProxy, discordProxy] = proxies as [FaultProxy, FaultProxy];
    let redis: RedisChaos | undefined;
    if (storageUrl.startsWith('redis')) {
      redis = await startRedisChaos(storageUrl, plan.storms, () => run.startedAt);
      closers.push(() => redis!.close());
    }
    const logs = new BotLogs();
    const bots = new BotSupervisor({
      options: o,
      plan,
      logs,
      progress,
      // Each process under a path prefix of its own, so the proxies tell whose request is whose.
      env: (n) => ({
        DISCORD_TOKEN: discord.botToken,
        REPLICATE_API_TOKEN: replicate.token,
        DISCORD_API_URL: `${discordProxy.origin}/p${n}/api`,
        REPLICATE_API_URL: `${replicateProxy.origin}/p${n}/v1`,
        STORAGE_URL: storageUrl,
        REPLICATE_POLL_INTERVAL_MS: '20',
        QUOTA_DEFAULT_SECONDS: 'unlimited',
        MAX_CONCURRENT_PREDICTIONS: '12',
        GUILD_CONCURRENCY: '2',
        GUILD_QUEUE_LIMIT: '50',
        USER_PENDING_LIMIT: '6',
        LOG_LEVEL: 'info',
      }),
    });
    closers.unshift(() => bots.killAll());
    const members = new Members({
      discord,
      guilds,
      startedAt: () => run.startedAt,
      botUp: () => bots.up,
      stopped: () => run.stopped,
      discordOrigin: discordProxy.origin,
    });
    const run: Run = {
      ...{ o, plan, discord, replicate, logs, bots, members, chaos, progress, wire, ambiguous },
      ...{ startedAt: Date.now(), kills: 0, freezes: [], stopped: false },
    };

    await bots.start();
    run.startedAt = Date.now();
    const span = Math.max(...plan.jobs.map((j) => j.submitAtMs)) / 1000;
    progress(`bot up; sending ${o.jobs} jobs over ${span.toFixed(0)} s, ${o.kills} kills, ${o.freezes} freezes, seed ${o.seed}`);
    const waited = await sendKillAndWait(run);

    // The last restart, every fault off: a job the store still holds as active runs again now.
    chaos.scale = 0;
    chaos.storms = [];
    progress('every fault off; the last restart');
    await redis?.calm();
    await finalCheck(run);
    progress('the last restart ended; the tally');
    if (logPath) writeFileSync(logPath, logs.entries.map(({ process, entry }) => JSON.stringify({ bot: process, ...entry })).join('\n') + '\n');

    const store = await openStore(storageUrl, createLogger({ level: 'silent', secrets: [] }));
    const observations: JobObservation[] = [];
    try {
      const days = [...new Set([isoDay(startedWall), isoDay(Date.now())])];
      const rows = await readUsageRows(store, guilds, days);
      // A Regenerate pair never pressed (its video never came) is no job of the run.
      for (const job of plan.jobs.filter((j) => j.regenerateOf === undefined || members.sent(j))) {
        observations.push(await observeWithStore(run, job, store, rows));
      }
    } finally {
      await store.close();
    }
    const verdicts = judgeAll(observations);
    const sum = totals(verdicts);
    const resumedWrote = run.freezes.filter(wroteAfterResume).length;
    const misses = [
      ...(sum.lost > 0 ? [`${sum.lost} lost`] : []),
      ...(sum.duplicatePredictions > 0 ? [`${sum.duplicatePredictions} with duplicate predictions`] : []),
      ...(sum.sharedPredictions > 0 ? [`${sum.sharedPredictions} sharing a prediction with another job`] : []),
      ...(sum.duplicateVideoPosts > 0 ? [`${sum.duplicateVideoPosts} with duplicate video posts`] : []),
      ...(sum.doubleCharges > 0 ? [`${sum.doubleCharges} double charges`] : []),
      ...(sum.failedOurFault > 0 ? [`${sum.failedOurFault} failed for our own faults`] : []),
      ...(resumedWrote > 0 ? [`${resumedWrote} resumed lease holders wrote, posted or created after losing the lease`] : []),
      ...(run.freezes.some((f) => !f.stoppedByItself)
        ? [`${run.freezes.filter((f) => !f.stoppedByItself).length} resumed lease holders did not stop by themselves`]
        : []),
    ];
    if (waited.finishMs === undefined) {
      misses.push(
        waited.idle
          ? `${sum.lost} never ended (no job ended for ${Math.round(o.idleMs / 1000)} s)`
          : `not finished within ${Math.round(o.timeoutMs / 1000)} s`,
      );
    }
    return {
      options: o,
      plan,
      verdicts,
      totals: sum,
      kills: run.kills,
      freezes: run.freezes,
      regeneratePairsPressed: members.regeneratePairsPressed,
      starts: bots.processes.length,
      failedStarts: bots.failedStarts,
      faults: { replicate: replicateProxy.counts(), discord: discordProxy.counts(), store: storeFaultCounts(logs, redis) },
      finishMs: waited.finishMs,
      endedBy: waited.finishMs !== undefined ? 'all ended' : waited.idle ? 'idle' : 'timeout',
      lastEndMs: waited.lastEndMs,
      wallMs: Date.now() - startedWall,
      misses,
      explanations: explain(run, verdicts),
    };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every member's part: /video for the planned jobs, and each Regenerate pair once its video is delivered. */
function sendAll(run: Run): Promise<unknown> {
  const { plan, members } = run;
  const sources = new Map<number, PlannedJob[]>();
  for (const job of plan.jobs) {
    if (job.regenerateOf !== undefined) sources.set(job.regenerateOf, [...(sources.get(job.regenerateOf) ?? []), job]);
  }
  return Promise.all([
    ...plan.jobs.filter((j) => j.regenerateOf === undefined).map((job) => members.run(job)),
    ...[...sources].map(([index, pair]) => {
      const source = plan.jobs[index]!;
      const ended = () => members.doneSending(source) && judge(observe(run, source)).outcome !== 'lost';
      return members.runRegenerates(source, pair, ended, () => run.ambiguous.set(source.prompt, pair.length));
    }),
  ]);
}

/** Kills (SIGKILL, restart) and freezes (SIGSTOP past the lease, a successor, SIGCONT), in time order. */
async function killAndFreeze(run: Run): Promise<void> {
  const { o, plan, members, progress } = run;
  const events = [
    ...plan.killsAtMs.map((at) => ({ at, kind: 'kill' as const })),
    ...plan.freezesAtMs.map((at) => ({ at, kind: 'freeze' as const })),
  ].sort((a, b) => a.at - b.at);
  for (const { at, kind } of events) {
    await members.sleepUntil(run.startedAt + at);
    await members.untilUp();
    if (run.stopped) return;
    const t = ((Date.now() - run.startedAt) / 1000).toFixed(1);
    if (kind === 'kill') {
      progress(`kill ${run.kills + 1}/${o.kills} at ${t} s`);
      await run.bots.killAndRestart();
      run.kills++;
    } else {
      progress(`freeze ${run.freezes.length + 1}/${o.freezes} at ${t} s (SIGSTOP past the ${o.leaseTtlMs / 1000} s lease)`);
      const freeze = await run.bots.freezeAndTakeOver(3_000);
      run.logs.update();
      const after = afterResume(freeze, run.wire, run.logs);
      run.freezes.push(after);
      const how = after.stoppedByItself ? `stopped by itself ${after.stoppedAfterMs} ms after SIGCONT` : `still running ${o.resumeGraceMs / 1000} s after SIGCONT: killed`;
      progress(`  frozen bot #${after.processNumber} ${how}; after resuming: ${after.storeWritesApplied} store writes, ${after.discordWrites} Discord writes, ${after.replicateCreates} creates`);
    }
  }
}

/** Members send their jobs while the killer kills; resolves once every job ended, or none ended for `idleMs`. */
async function sendKillAndWait(run: Run): Promise<{ finishMs?: number; lastEndMs?: number; idle: boolean }> {
  const { o, plan, logs, members, progress } = run;
  let allSent = false;
  void sendAll(run).then(() => (allSent = true));
  const events = plan.killsAtMs.length + plan.freezesAtMs.length;
  const killsDone = killAndFreeze(run).catch((err: unknown) => {
    run.stopped = true;
    progress(`the bot could not be restarted: ${String(err)}`);
  });

  const result: { finishMs?: number; lastEndMs?: number; idle: boolean } = { idle: false };
  let lastOpen = Number.POSITIVE_INFINITY;
  let lastChange = Date.now();
  let lastReport = Date.now();
  for (;;) {
    await sleep(250);
    logs.update();
    const verdicts = plan.jobs.filter((j) => members.sent(j)).map((j) => judge(observe(run, j)));
    const open = verdicts.filter((v) => v.outcome === 'lost').length;
    const now = Date.now();
    if (open < lastOpen && verdicts.length > open) result.lastEndMs = now - run.startedAt;
    // Kills still to come keep the wait open, unless the bot could not be restarted: then nothing more will end.
    if (open !== lastOpen || !allSent || (run.kills + run.freezes.length < events && !run.stopped)) {
      lastOpen = open;
      lastChange = now;
    }
    if (now - lastReport > 15_000) {
      lastReport = now;
      progress(`${((now - run.startedAt) / 1000).toFixed(0)} s: ${verdicts.length} sent, ${open} not ended yet, ${run.kills} kills`);
    }
    if (allSent && run.kills + run.freezes.length >= events && open === 0) {
      result.finishMs = now - run.startedAt;
      break;
    }
    if (now - run.startedAt > o.timeoutMs) break;
    if (now - lastChange > o.idleMs) {
      result.idle = true;
      progress(`no job ended for ${Math.round(o.idleMs / 1000)} s: ${open} still open are counted lost`);
      break;
    }
  }
  run.stopped = true;
  await killsDone;
  return result;
}

/** Stops the bot, starts it once more without faults, and waits until the jobs it recovered have ended. */
async function finalCheck(run: Run): Promise<void> {
  const { bots, logs } = run;
  await bots.stop();
  const final = await bots.start(true);
  const index = bots.processes.length;
  await final.waitForLog('queue recovered', { timeoutMs: 30_000 });
  logs.update();
  const recovered = logs.entries.find((e) => e.process === index && e.entry.msg === 'queue recovered')!.entry;
  const toSettle = ['resume', 'waiting', 'refetch'].reduce((n, k) => n + Number(recovered[k] ?? 0), 0);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    logs.update();
    if (terminalLines.reduce((n, msg) => n + logs.count(msg, index), 0) >= toSettle) break;
    await sleep(100);
  }
  // A graceful stop lets the last edits and pings land before the tally reads what members see.
  await bots.stop();
  logs.update();
}
