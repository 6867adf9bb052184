import { Events, type Client } from 'discord.js';
import type { DestinationStream } from 'pino';
import { commands, createInteractionHandlers } from '../commands/index.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDiscordClient, createUploadRest } from './discord/client.js';
import { createImageFetcher } from './discord/fetch-image.js';
import { registerCommands } from './discord/register-commands.js';
import { createInteractionRouter } from './discord/router.js';
import { createLogger, type Logger } from './logger.js';
import { loginWithRetry } from './login-with-retry.js';
import { createAdminService } from './moderation/admin-service.js';
import { GuildPolicy } from './moderation/guild-policy.js';
import { createModlog } from './moderation/modlog.js';
import { GenerationHistory } from './queue/eta.js';
import { videoLinkOf } from './queue/video-link.js';
import { periodOf } from './quota/period.js';
import { renderUsageReply } from './report/usage-reply.js';
import { createQueueService, type QueueService } from './queue/queue-service.js';
import { createReplicateClient } from './replicate/client.js';
import { createPredictionRunner } from './replicate/prediction-runner.js';
import type { RetryPolicy } from './replicate/retry.js';
import { createDiscordResponder } from './responder/discord-responder.js';
import { responderTempRoot } from './responder/temp-dir.js';
import { GenerationRecords } from './storage/generation-records.js';
import { GuildRecords } from './storage/guild-records.js';
import { finishedJobRetentionDays, openStore, type Store } from './storage/keyv-store.js';
import { scheduleUpkeep } from './storage/upkeep.js';
import { ownerOf, ownsGuild } from './sharding/shard-owner.js';

/** Timings an operator never sets but tests and the demo shorten. Defaults are the production values. */
export interface BotTuning {
  editIntervalMs?: number;
  progressIntervalMs?: number;
  moveBeforeExpiryMs?: number;
  retry?: Partial<RetryPolicy>;
  downloadBackoffMs?: number;
  defaultExpectedMs?: number;
  /** First wait before a delivery step is sent again after a Discord 5xx (default 2000 ms). */
  deliveryRetryBackoffMs?: number;
}

export interface BotOptions {
  config: Config;
  clock?: Clock;
  /** Where log lines go (stdout by default). */
  logDestination?: DestinationStream;
  tuning?: BotTuning;
  /** Plain lines for the operator during start (a login retried while the network is not up yet). */
  notice?: (line: string) => void;
  /** Aborted by a signal during start: a login still waiting for Discord gives up and the start rejects. */
  signal?: AbortSignal;
  /** Wraps the opened store (fault injection in tests and the soak); the bot uses what it returns. */
  wrapStore?: (store: Store, log: Logger) => Store;
}

export interface Bot {
  client: Client;
  queue: QueueService;
  /** The guilds' moderation rules and seconds ledger (this process owns every guild it serves). */
  policy: GuildPolicy;
  store: Store;
  log: Logger;
  /** Graceful stop: no new jobs, in-flight work halted with its state persisted, connections closed. */
  stop(): Promise<void>;
}

/** Composition root: config → logger → store → clients → services → router → login. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, tuning = {} } = options;
  const clock = options.clock ?? systemClock;
  // A shard is one of several processes on the store: its own owner (lease, active index) and its own guilds.
  const owner = ownerOf(config.shard);
  const owns = (guildId: string) => ownsGuild(config.shard, guildId);
  const log = createLogger({
    level: config.logLevel,
    secrets: [config.discordToken, config.replicateApiToken],
    destination: options.logDestination,
    ...(config.shard ? { bindings: { shard: config.shard.id } } : {}),
  });
  // One process per owner on a store: a second one refuses to start; one whose lease was taken over stops (below).
  let lostEarly = false;
  let leaseLost = (): void => void (lostEarly = true);
  const opened = await openStore(config.storageUrl, log, {
    owner,
    clock,
    // npm start moves a sharded store's jobs back to itself; a shard leaves any move to its manager.
    layout: config.shard
      ? { wanted: { mode: 'sharded', shardCount: config.shard.count }, rehome: false }
      : { wanted: { mode: 'single' }, rehome: true },
    lease: { onLost: () => leaseLost() },
    notice: options.notice,
    signal: options.signal,
  });
  const store = options.wrapStore ? options.wrapStore(opened, log) : opened;
  const client = createDiscordClient({ apiUrl: config.discordApiUrl, shard: config.shard });
  client.rest.setToken(config.discordToken);

  // The bot's own generation times: the poll schedule and the members' ETAs read the same history.
  const generationRecords = new GenerationRecords(store, config.replicateModel, owner);
  const history = new GenerationHistory(
    await generationRecords.load().catch((err: unknown) => {
      log.warn({ err }, 'generation times not read; ETAs come back after the next videos');
      return [];
    }),
  );
  const runner = createPredictionRunner({
    client: createReplicateClient({ token: config.replicateApiToken, baseUrl: config.replicateApiUrl }),
    model: config.replicateModel,
    clock,
    log,
    pollIntervalMs: config.pollIntervalMs,
    times: { history, save: (samples) => generationRecords.save(samples) },
    ...(tuning.retry ? { retry: tuning.retry } : {}),
    ...(tuning.defaultExpectedMs ? { defaultExpectedMs: tuning.defaultExpectedMs } : {}),
  });
  // The responder persists moved replies through the queue, which needs the responder: the closure is only
  // called once both exist.
  const responder = createDiscordResponder({
    rest: client.rest,
    uploadRest: createUploadRest({ apiUrl: config.discordApiUrl, token: config.discordToken }),
    clock,
    log,
    saveReply: (jobId, reply) => queue.updateReply(jobId, reply),
    ffmpegPath: config.ffmpegPath,
    tempDir: responderTempRoot(config.storageUrl),
    editIntervalMs: tuning.editIntervalMs,
    progressIntervalMs: tuning.progressIntervalMs,
    moveBeforeExpiryMs: tuning.moveBeforeExpiryMs,
    downloadBackoffMs: tuning.downloadBackoffMs,
    retryBackoffMs: tuning.deliveryRetryBackoffMs,
  });
  const records = new GuildRecords(store, owner, owns);
  // The mod-log reads the policy (its channel) and the policy tells it of jobs: the closures run once both exist.
  const modlog = createModlog({
    rest: client.rest,
    records,
    log,
    clock,
    pricePerSecondUsd: config.pricePerSecondUsd,
    channelOf: (guildId) => policy.settingsOf(guildId).modlogChannelId,
    loadImage: (jobId) => store.loadImage(jobId),
  });
  const policy = new GuildPolicy({
    records,
    observer: {
      accepted: (job) => void modlog.jobAccepted(job),
      ended: (job) => {
        const messageUrl = videoLinkOf(job);
        void modlog.jobEnded(job, messageUrl ? { messageUrl } : {});
      },
    },
    operator: {
      quotaDefaultSeconds: config.quotaDefaultSeconds,
      quotaPeriod: config.quotaPeriod,
      pricePerSecondUsd: config.pricePerSecondUsd,
      caps: { concurrency: config.guildConcurrency, queue: config.guildQueueLimit, pending: config.userPendingLimit },
    },
    clock,
    log,
  });
  const queue = createQueueService({
    store,
    policy,
    history,
    forgottenSince: (guildId, userId) => policy.forgottenSince(guildId, userId),
    runner,
    responder,
    clock,
    log,
    limits: {
      maxConcurrent: config.maxConcurrentPredictions,
      guildConcurrency: config.guildConcurrency,
      guildQueueLimit: config.guildQueueLimit,
      userPendingLimit: config.userPendingLimit,
    },
    // Discord's CDN only, plus the configured Discord's own origin (the stand-in's CDN in tests).
    fetchImage: createImageFetcher({ extraHosts: [config.discordApiUrl] }),
  });

  const admin = createAdminService({
    policy,
    queue,
    operator: policy.operator,
    clock,
    log,
    jobRetentionDays: finishedJobRetentionDays,
    modlog,
    renderUsage: ({ guildId, rows, kind, at, userId }) =>
      renderUsageReply({
        rows,
        period: periodOf(kind, at),
        pricePerSecondUsd: config.pricePerSecondUsd,
        nameOf: (id) => policy.nameOf(guildId, id) ?? client.users.cache.get(id)?.username ?? id,
        ...(client.guilds.cache.get(guildId)?.name ? { guildName: client.guilds.cache.get(guildId)!.name } : {}),
        ...(userId ? { member: userId } : {}),
      }),
  });
  const route = createInteractionRouter({
    commands,
    ...createInteractionHandlers(clock),
    ctx: { queue, policy, admin, log, clock },
    cancel: queue,
    log,
  });
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  client.rest.on('rateLimited', (info) =>
    log.debug({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'discord rate limit'),
  );

  // The ledger is rebuilt from the jobs before anything is admitted: it never disagrees with them.
  await policy.start(await store.listActiveJobs(), (id) => store.getJob(id));
  await queue.start();
  const upkeep = scheduleUpkeep(store, clock, log);
  try {
    const notice = options.notice ?? (() => undefined);
    await loginWithRetry({ client, token: config.discordToken, clock, log, notice, signal: options.signal });
  } catch (err) {
    await upkeep.stop();
    await queue.stop();
    await responder.close();
    await client.destroy();
    await store.close();
    throw err;
  }
  log.info({ guilds: client.guilds.cache.size, user: client.user?.tag }, 'bot ready');

  // Commands are the application's, not a shard's: one process registers them (and writes their hash).
  if (!config.shard || config.shard.id === 0) {
    try {
      await registerCommands({
        rest: client.rest,
        applicationId: client.application!.id,
        guildId: config.discordGuildId,
        store,
        log,
      });
    } catch (err) {
      log.error({ err }, 'command registration failed; /video may be missing until the next start');
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await upkeep.stop();
      await queue.stop();
      await responder.close();
      // Mod-log posts in flight get a moment; they never hold a stop up (the entry is edited by the next start).
      await Promise.race([modlog.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await client.destroy();
      await store.close();
      log.info('bot stopped');
    })();
    return stopping;
  };
  leaseLost = () => void stop();
  if (lostEarly) void stop();
  return { client, queue, policy, store, log, stop };
}
