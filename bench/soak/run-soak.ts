/**
 * The chaos soak: the real bot as a child process (test/harness/soak-bot-main.ts: src/main.ts with the store
 * wrapped by the fault-injecting store) against the loopback stand-ins, behind fault proxies
 * (bot → proxy → fake), with members sending /video across guilds, some with images, some pressing Cancel, while
 * the bot is killed with SIGKILL and restarted on the same store. Then one more restart with every fault off, so a
 * delivery replayed from a stale record shows up too, and the tally (tally.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/storage/keyv-store.js';
import { startFakeDiscord, type FakeDiscord, type FakeGuild } from '../../test/fakes/discord/fake-discord.js';
import { createSnowflakes } from '../../test/fakes/discord/snowflake.js';
import { startFakeReplicate, type FakeReplicate } from '../../test/fakes/replicate/fake-replicate.js';
import { startFaultProxy, type FaultProxy } from '../../test/harness/fault-proxy.js';
import { BotLogs } from './bot-logs.js';
import { BotSupervisor } from './bot-supervisor.js';
import { discordChaos, replicateChaos, type ChaosOptions } from './chaos.js';
import { Members } from './members.js';
import { makePlan, type PlannedJob, type SoakOptions, type SoakPlan } from './plan.js';
import { startRedisChaos, type RedisChaos } from './redis-chaos.js';
import { judge, totals, type JobObservation, type JobVerdict, type SoakTotals } from './tally.js';

export interface SoakReport {
  options: SoakOptions;
  plan: SoakPlan;
  verdicts: JobVerdict[];
  totals: SoakTotals;
  kills: number;
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
  explanations: { what: string; jobs: { tag: string; jobId: string | undefined; lines: string[] }[] }[];
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
  const storageUrl = o.store === 'sqlite' ? `sqlite://${join(dir, 'bot.sqlite')}` : o.store;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const discord = await startFakeDiscord({ guilds });
    closers.push(() => discord.close());
    const replicate = await startFakeReplicate({ defaultDurationMs: o.predictionMs[1] });
    closers.push(() => replicate.close());
    for (const s of plan.scripts) replicate.script(s);
    const chaos: ChaosOptions = { seed: o.seed, scale: o.chaos, storms: plan.storms, startedAt: () => run.startedAt };
    const proxies: FaultProxy[] = [
      await startFaultProxy(new URL(replicate.baseUrl).origin, replicateChaos(chaos), { rewriteOrigin: true }),
      await startFaultProxy(new URL(discord.apiUrl).origin, discordChaos(chaos)),
    ];
    closers.push(() => Promise.all(proxies.map((p) => p.close())));
    const [replicateProxy, discordProxy] = proxies as [FaultProxy, FaultProxy];
    let redis: RedisChaos | undefined;
    if (o.store.startsWith('redis')) {
      redis = await startRedisChaos(o.store, plan.storms, () => run.startedAt);
      closers.push(() => redis!.close());
    }
    const logs = new BotLogs();
    const bots = new BotSupervisor({
      options: o,
      plan,
      logs,
      progress,
      env: {
        DISCORD_TOKEN: discord.botToken,
        REPLICATE_API_TOKEN: replicate.token,
        DISCORD_API_URL: `${discordProxy.origin}/api`,
        REPLICATE_API_URL: `${replicateProxy.origin}/v1`,
        STORAGE_URL: storageUrl,
        REPLICATE_POLL_INTERVAL_MS: '20',
        QUOTA_DEFAULT_SECONDS: 'unlimited',
        MAX_CONCURRENT_PREDICTIONS: '12',
        GUILD_CONCURRENCY: '2',
        GUILD_QUEUE_LIMIT: '50',
        USER_PENDING_LIMIT: '6',
        LOG_LEVEL: 'info',
      },
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
    const run: Run = { o, plan, discord, replicate, logs, bots, members, chaos, progress, startedAt: Date.now(), kills: 0, stopped: false };

    await bots.start();
    run.startedAt = Date.now();
    progress(`bot up; sending ${o.jobs} jobs over ${(plan.jobs.at(-1)!.submitAtMs / 1000).toFixed(0)} s, ${o.kills} kills, seed ${o.seed}`);
    const waited = await sendKillAndWait(run);

    // The last restart, every fault off: a job the store still holds as active runs again now.
    chaos.scale = 0;
    chaos.storms = [];
    await redis?.calm();
    await finalCheck(run);
    if (logPath) writeFileSync(logPath, logs.entries.map(({ process, entry }) => JSON.stringify({ bot: process, ...entry })).join('\n') + '\n');

    const store = await openStore(storageUrl, createLogger({ level: 'silent', secrets: [] }));
    const verdicts: JobVerdict[] = [];
    try {
      for (const job of plan.jobs) {
        const seen = observe(run, job);
        verdicts.push(judge({ ...seen, stored: seen.jobIds.length ? await store.getJob(seen.jobIds.at(-1)!) : undefined }));
      }
    } finally {
      await store.close();
    }
    const sum = totals(verdicts);
    const misses = [
      ...(sum.lost > 0 ? [`${sum.lost} lost`] : []),
      ...(sum.duplicatePredictions > 0 ? [`${sum.duplicatePredictions} with duplicate predictions`] : []),
      ...(sum.duplicateVideoPosts > 0 ? [`${sum.duplicateVideoPosts} with duplicate video posts`] : []),
      ...(sum.failedOurFault > 0 ? [`${sum.failedOurFault} failed for our own faults`] : []),
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

/** Members send their jobs while the killer kills; resolves once every job ended, or none ended for `idleMs`. */
async function sendKillAndWait(run: Run): Promise<{ finishMs?: number; lastEndMs?: number; idle: boolean }> {
  const { o, plan, logs, members, progress } = run;
  let allSent = false;
  void Promise.all(plan.jobs.map((job) => members.run(job))).then(() => (allSent = true));
  const killsDone = (async () => {
    for (const at of plan.killsAtMs) {
      await members.sleepUntil(run.startedAt + at);
      await members.untilUp();
      if (run.stopped) return;
      progress(`kill ${run.kills + 1}/${o.kills} at ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s`);
      await run.bots.killAndRestart();
      run.kills++;
    }
  })().catch((err: unknown) => {
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
    if (open !== lastOpen || !allSent || (run.kills < plan.killsAtMs.length && !run.stopped)) {
      lastOpen = open;
      lastChange = now;
    }
    if (now - lastReport > 15_000) {
      lastReport = now;
      progress(`${((now - run.startedAt) / 1000).toFixed(0)} s: ${verdicts.length} sent, ${open} not ended yet, ${run.kills} kills`);
    }
    if (allSent && run.kills >= plan.killsAtMs.length && open === 0) {
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

function observe(run: Run, job: PlannedJob): JobObservation {
  const { discord, replicate, logs, members } = run;
  const records = members.interactionsOf(job).map((id) => discord.interaction(id));
  const marker = `${job.tag} `;
  return {
    job,
    userId: members.userOf(job).id,
    interactions: records,
    jobIds: records.map((r) => logs.jobOfInteraction.get(r.id)).filter((id): id is string => id !== undefined),
    stored: undefined,
    predictions: replicate.predictions.filter((p) => p.input.prompt === job.prompt),
    channelMessages: discord.channelMessages(members.channelOf(job)).filter((m) => m.history.some((v) => v.content.includes(marker))),
    cancelPressed: members.cancelPressed(job),
  };
}

function storeFaultCounts(logs: BotLogs, redis: RedisChaos | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { entry } of logs.entries) {
    if (entry.msg !== 'store fault injected') continue;
    const key = `store ${String(entry.op)} refused${entry.applied ? ' (after it was applied)' : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { ...counts, ...(redis?.counts() ?? {}) };
}

/** For each class of miss, up to three jobs with their warnings and errors from every bot process. */
function explain(run: Run, verdicts: readonly JobVerdict[]): SoakReport['explanations'] {
  const classes: [string, (v: JobVerdict) => boolean][] = [
    ['lost', (v) => v.outcome === 'lost'],
    ['failed for our own fault', (v) => v.failureClass === 'our own fault'],
    ['duplicate predictions', (v) => v.predictions > 1],
    ['duplicate video posts', (v) => v.videoPosts > 1],
    ['duplicate pings', (v) => v.pings > 1],
    ['delivered without a ping', (v) => v.outcome === 'delivered' && v.pings === 0],
    ['contradictions', (v) => v.contradiction !== undefined],
  ];
  return classes.flatMap(([what, pick]) => {
    const jobs = verdicts
      .filter(pick)
      .slice(0, 3)
      .map((v) => {
        const job = run.plan.jobs.find((j) => j.tag === v.tag)!;
        const predictionIds = observe(run, job).predictions.map((p) => p.id);
        return { tag: v.tag, jobId: v.jobId, lines: run.logs.about(v.jobId, predictionIds, 40).slice(0, 25) };
      });
    return jobs.length ? [{ what, jobs }] : [];
  });
}
