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
import type { Job } from '../../src/queue/job.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/storage/keyv-store.js';
import { startFakeDiscord, type FakeDiscord, type FakeGuild } from '../../test/fakes/discord/fake-discord.js';
import { createSnowflakes } from '../../test/fakes/discord/snowflake.js';
import { startFakeReplicate, type FakeReplicate } from '../../test/fakes/replicate/fake-replicate.js';
import { spawnBot, type BotProcess } from '../../test/harness/bot-process.js';
import { startFaultProxy, type FaultProxy } from '../../test/harness/fault-proxy.js';
import { SeededRandom } from '../../test/harness/seeded-random.js';
import { BotLogs } from './bot-logs.js';
import { discordChaos, replicateChaos, type ChaosOptions } from './chaos.js';
import { makePlan, type PlannedJob, type SoakOptions, type SoakPlan } from './plan.js';
import { startRedisChaos, type RedisChaos } from './redis-chaos.js';
import { judge, totals, type JobObservation, type JobVerdict, type SoakTotals } from './tally.js';

export const soakEntry = 'test/harness/soak-bot-main.ts';

/** A 1x1 PNG: a real image the bot sniffs and uploads. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

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
  let discord: FakeDiscord | undefined;
  let replicate: FakeReplicate | undefined;
  const proxies: FaultProxy[] = [];
  let redis: RedisChaos | undefined;
  const bots: BotProcess[] = [];
  try {
    discord = await startFakeDiscord({ guilds });
    replicate = await startFakeReplicate({ defaultDurationMs: o.predictionMs[1] });
    for (const s of plan.scripts) replicate.script(s);
    let runStart = Date.now();
    const chaos: ChaosOptions = { seed: o.seed, scale: o.chaos, storms: plan.storms, startedAt: () => runStart };
    const replicateOrigin = new URL(replicate.baseUrl).origin;
    const discordOrigin = new URL(discord.apiUrl).origin;
    const replicateProxy = await startFaultProxy(replicateOrigin, replicateChaos(chaos), { rewriteOrigin: true });
    const discordProxy = await startFaultProxy(discordOrigin, discordChaos(chaos));
    proxies.push(replicateProxy, discordProxy);
    if (o.store.startsWith('redis')) redis = await startRedisChaos(o.store, plan.storms, () => runStart);

    const logs = new BotLogs();
    let bot: BotProcess | undefined;
    let up = false;
    /** Set once the run is over: members and the killer stop. */
    let stopped = false;
    let failedStarts = 0;
    const restartRandom = new SeededRandom(o.seed).fork('restarts');
    const env = (storeFaults: Record<string, unknown> | undefined): Record<string, string> => ({
      DISCORD_TOKEN: discord!.botToken,
      REPLICATE_API_TOKEN: replicate!.token,
      DISCORD_API_URL: `${discordProxy.origin}/api`,
      REPLICATE_API_URL: `${replicateProxy.origin}/v1`,
      STORAGE_URL: storageUrl,
      REPLICATE_POLL_INTERVAL_MS: '20',
      MAX_CONCURRENT_PREDICTIONS: '12',
      GUILD_CONCURRENCY: '2',
      GUILD_QUEUE_LIMIT: '50',
      USER_PENDING_LIMIT: '6',
      LOG_LEVEL: 'info',
      ...(storeFaults ? { SOAK_STORE_FAULTS: JSON.stringify(storeFaults) } : {}),
    });
    /** Starts a bot (again and again while a start fails, as systemd's Restart=on-failure would). */
    const start = async (calm = false): Promise<BotProcess> => {
      for (let attempt = 1; ; attempt++) {
        const n = bots.length;
        const storeFaults = calm || o.chaos === 0
          ? undefined
          : {
              seed: plan.storeSeeds[n % plan.storeSeeds.length]!,
              writeRate: 0.02 * o.chaos,
              outageRate: 0.004 * o.chaos,
              outageWrites: 6,
              appliedRate: 0.2,
              // Some restarts meet a store that cannot be read at first.
              readsAtStart: n > 0 && restartRandom.chance(0.25) ? 1 : 0,
            };
        const next = spawnBot(env(storeFaults), soakEntry);
        bots.push(next);
        logs.add(next);
        try {
          await next.waitForLog('bot ready', { timeoutMs: 60_000 });
          return next;
        } catch (err) {
          failedStarts++;
          await next.kill('SIGKILL');
          progress(`bot start #${bots.length} failed: ${next.stderr.trim().split('\n').at(-1) ?? String(err)}`);
          if (attempt >= 5) throw err;
        }
      }
    };

    bot = await start();
    up = true;
    runStart = Date.now();
    progress(`bot up; sending ${o.jobs} jobs over ${(plan.jobs.at(-1)!.submitAtMs / 1000).toFixed(0)} s, ${o.kills} kills, seed ${o.seed}`);

    // The members.
    const interactions = new Map<number, string[]>();
    const cancelPressed = new Set<number>();
    const untilUp = async () => {
      while (!stopped && (!up || !discord!.gatewayConnected)) await sleep(50);
    };
    const sleepUntil = async (at: number) => {
      while (!stopped && Date.now() < at) await sleep(Math.min(100, at - Date.now()));
    };
    const channelOf = (job: PlannedJob) => guilds[job.guild]!.channels[0]!.id;
    const userOf = (job: PlannedJob) => ({ id: String(300_000_000_000_000_000n + BigInt(job.member)), username: `member${job.member}` });
    const acked = async (id: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (discord!.interaction(id).ackType !== undefined) return true;
        await sleep(50);
      }
      return false;
    };
    async function member(job: PlannedJob): Promise<void> {
      await sleepUntil(runStart + job.submitAtMs);
      const ids: string[] = [];
      interactions.set(job.index, ids);
      let accepted: string | undefined;
      for (let attempt = 0; attempt < 6 && !accepted; attempt++) {
        await untilUp();
        if (stopped) return;
        const image =
          job.image &&
          discord!.addAttachment({
            bytes: job.image === 'png' ? png : Buffer.from('this is not an image at all'),
            filename: 'frame.png',
            contentType: 'image/png',
            channelId: channelOf(job),
          });
        let id: string;
        try {
          id = discord!.sendSlashCommand({
            name: 'video',
            guildId: guilds[job.guild]!.id,
            channelId: channelOf(job),
            user: userOf(job),
            options: { prompt: job.prompt, ...(image ? { image } : {}) },
          }).id;
        } catch {
          await sleep(200);
          continue;
        }
        ids.push(id);
        // Discord gives the bot 3 s; the member gives up on "did not respond" a little later and sends it again.
        if (await acked(id, 4_000)) accepted = id;
      }
      if (!accepted || job.cancelAfterMs === undefined || discord!.interaction(accepted).ephemeral) return;
      await sleep(job.cancelAfterMs);
      for (let press = 0; press < 3; press++) {
        await untilUp();
        const message = discord!.interaction(accepted).original;
        const button = message && cancelButton(message.components);
        if (!message || !button) return;
        cancelPressed.add(job.index);
        const pressed = discord!.pressButton({
          message,
          customId: button,
          user: userOf(job),
          guildId: guilds[job.guild]!.id,
          channelId: channelOf(job),
        });
        if (await acked(pressed.id, 4_000)) return;
      }
    }

    // The killer.
    let kills = 0;
    async function killer(): Promise<void> {
      for (const at of plan.killsAtMs) {
        await sleepUntil(runStart + at);
        await untilUp();
        if (stopped) return;
        up = false;
        await bot!.kill('SIGKILL');
        kills++;
        progress(`kill ${kills}/${o.kills} at ${((Date.now() - runStart) / 1000).toFixed(1)} s`);
        bot = await start();
        up = true;
      }
    }

    const observe = (job: PlannedJob): JobObservation => {
      const records = (interactions.get(job.index) ?? []).map((id) => discord!.interaction(id));
      const jobIds = records.map((r) => logs.jobOfInteraction.get(r.id)).filter((id): id is string => id !== undefined);
      const marker = `${job.tag} `;
      return {
        job,
        userId: userOf(job).id,
        interactions: records,
        jobIds,
        stored: undefined,
        predictions: replicate!.predictions.filter((p) => p.input.prompt === job.prompt),
        channelMessages: discord!.channelMessages(channelOf(job)).filter((m) => m.history.some((v) => v.content.includes(marker))),
        cancelPressed: cancelPressed.has(job.index),
      };
    };
    const ended = (v: JobVerdict) => v.outcome !== 'lost';

    const membersDone = Promise.all(plan.jobs.map((job) => member(job)));
    const killsDone = killer().catch((err: unknown) => {
      stopped = true;
      progress(`the bot could not be restarted: ${String(err)}`);
    });
    let finishMs: number | undefined;
    let allSent = false;
    void membersDone.then(() => (allSent = true));
    let lastReport = Date.now();
    let lastOpen = Number.POSITIVE_INFINITY;
    let lastChange = Date.now();
    let idle = false;
    let lastEndMs: number | undefined;
    for (;;) {
      await sleep(250);
      logs.update();
      const verdicts = plan.jobs.filter((j) => interactions.has(j.index)).map((j) => judge(observe(j)));
      const open = verdicts.filter((v) => !ended(v)).length;
      if (open < lastOpen && verdicts.some(ended)) lastEndMs = Date.now() - runStart;
      if (open !== lastOpen || !allSent || kills < plan.killsAtMs.length) {
        lastOpen = open;
        lastChange = Date.now();
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        progress(`${((Date.now() - runStart) / 1000).toFixed(0)} s: ${verdicts.length} sent, ${open} not ended yet, ${kills} kills`);
      }
      if (allSent && kills >= plan.killsAtMs.length && open === 0) {
        finishMs = Date.now() - runStart;
        break;
      }
      if (Date.now() - runStart > o.timeoutMs) break;
      if (Date.now() - lastChange > o.idleMs) {
        idle = true;
        progress(`no job ended for ${Math.round(o.idleMs / 1000)} s: ${open} still open are counted lost`);
        break;
      }
    }
    stopped = true;
    await killsDone;

    // The last restart, every fault off: a job the store still holds as active runs again now.
    chaos.scale = 0;
    chaos.storms = [];
    stopped = true;
    await redis?.calm();
    up = false;
    await bot.kill('SIGTERM');
    const final = await start(true);
    bot = final;
    const finalIndex = bots.length;
    await final.waitForLog('queue recovered', { timeoutMs: 30_000 });
    logs.update();
    const recovered = logs.entries.find((e) => e.process === finalIndex && e.entry.msg === 'queue recovered')!.entry;
    const toSettle = Number(recovered.resume ?? 0) + Number(recovered.waiting ?? 0) + Number(recovered.refetch ?? 0);
    const settleDeadline = Date.now() + 60_000;
    const terminal = ['job done', 'job failed', 'job failed unexpectedly', 'job canceled', 'job could not be settled'];
    while (Date.now() < settleDeadline) {
      logs.update();
      const settled = terminal.reduce((n, msg) => n + logs.count(msg, finalIndex), 0);
      if (settled >= toSettle) break;
      await sleep(100);
    }
    // Let the last edits and pings of the final bot land before reading what members see.
    await final.kill('SIGTERM');
    logs.update();
    if (logPath) writeFileSync(logPath, logs.entries.map(({ process, entry }) => JSON.stringify({ bot: process, ...entry })).join('\n') + '\n');

    const store = await openStore(storageUrl, createLogger({ level: 'silent', secrets: [] }));
    const verdicts: JobVerdict[] = [];
    try {
      for (const job of plan.jobs) {
        const seen = observe(job);
        const stored: Job | undefined = seen.jobIds[0] ? await store.getJob(seen.jobIds.at(-1)!) : undefined;
        verdicts.push(judge({ ...seen, stored }));
      }
    } finally {
      await store.close();
    }
    const sum = totals(verdicts);
    const storeFaults: Record<string, number> = {};
    for (const { entry } of logs.entries) {
      if (entry.msg !== 'store fault injected') continue;
      const key = `store ${String(entry.op)} refused${entry.applied ? ' (after it was applied)' : ''}`;
      storeFaults[key] = (storeFaults[key] ?? 0) + 1;
    }
    if (redis) for (const [k, v] of Object.entries(redis.counts())) storeFaults[k] = v;
    const wallMs = Date.now() - startedWall;
    const misses: string[] = [];
    if (sum.lost > 0) misses.push(`${sum.lost} lost`);
    if (sum.duplicatePredictions > 0) misses.push(`${sum.duplicatePredictions} with duplicate predictions`);
    if (sum.duplicateVideoPosts > 0) misses.push(`${sum.duplicateVideoPosts} with duplicate video posts`);
    if (sum.failedOurFault > 0) misses.push(`${sum.failedOurFault} failed for our own faults`);
    if (finishMs === undefined) {
      misses.push(idle ? `${sum.lost} never ended (no job ended for ${Math.round(o.idleMs / 1000)} s)` : `not finished within ${Math.round(o.timeoutMs / 1000)} s`);
    }
    const explain = (what: string, pick: (v: JobVerdict) => boolean) => {
      const jobs = verdicts.filter(pick).slice(0, 3).map((v) => {
        const job = plan.jobs.find((j) => j.tag === v.tag)!;
        const predictionIds = observe(job).predictions.map((p) => p.id);
        return { tag: v.tag, jobId: v.jobId, lines: logs.about(v.jobId, predictionIds, 40).slice(0, 25) };
      });
      return jobs.length ? [{ what, jobs }] : [];
    };
    return {
      options: o,
      plan,
      verdicts,
      totals: sum,
      kills,
      starts: bots.length,
      failedStarts,
      faults: { replicate: replicateProxy.counts(), discord: discordProxy.counts(), store: storeFaults },
      finishMs,
      endedBy: finishMs !== undefined ? 'all ended' : idle ? 'idle' : 'timeout',
      lastEndMs,
      wallMs,
      misses,
      explanations: [
        ...explain('lost', (v) => v.outcome === 'lost'),
        ...explain('failed for our own fault', (v) => v.failureClass === 'our own fault'),
        ...explain('duplicate predictions', (v) => v.predictions > 1),
        ...explain('duplicate video posts', (v) => v.videoPosts > 1),
        ...explain('duplicate pings', (v) => v.pings > 1),
        ...explain('delivered without a ping', (v) => v.outcome === 'delivered' && v.pings === 0),
        ...explain('contradictions', (v) => v.contradiction !== undefined),
      ],
    };
  } finally {
    await Promise.all(bots.map((b) => b.kill('SIGKILL')));
    await redis?.close();
    await Promise.all(proxies.map((p) => p.close()));
    await discord?.close();
    await replicate?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function cancelButton(components: unknown[]): string | undefined {
  const rows = components as { components?: { custom_id?: string }[] }[];
  return rows.flatMap((row) => row.components ?? []).find((c) => c.custom_id?.startsWith('cancel:'))?.custom_id;
}
