import { Events, type Client } from 'discord.js';
import type { DestinationStream } from 'pino';
import { commands } from '../commands/index.js';
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
import { createQueueService, type QueueService } from './queue/queue-service.js';
import { createReplicateClient } from './replicate/client.js';
import { createPredictionRunner } from './replicate/prediction-runner.js';
import type { RetryPolicy } from './replicate/retry.js';
import { createDiscordResponder } from './responder/discord-responder.js';
import { responderTempRoot } from './responder/temp-dir.js';
import { GuildRecords } from './storage/guild-records.js';
import { finishedJobRetentionDays, openStore, type Store } from './storage/keyv-store.js';
import { scheduleUpkeep } from './storage/upkeep.js';

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
  const log = createLogger({
    level: config.logLevel,
    secrets: [config.discordToken, config.replicateApiToken],
    destination: options.logDestination,
  });
  // One process per store: a second one refuses to start; one whose lease was taken over stops (below).
  let lostEarly = false;
  let leaseLost = (): void => void (lostEarly = true);
  const opened = await openStore(config.storageUrl, log, {
    clock,
    lease: { onLost: () => leaseLost() },
    notice: options.notice,
    signal: options.signal,
  });
  const store = options.wrapStore ? options.wrapStore(opened, log) : opened;
  const client = createDiscordClient({ apiUrl: config.discordApiUrl });
  client.rest.setToken(config.discordToken);

  const runner = createPredictionRunner({
    client: createReplicateClient({ token: config.replicateApiToken, baseUrl: config.replicateApiUrl }),
    model: config.replicateModel,
    clock,
    log,
    pollIntervalMs: config.pollIntervalMs,
    durations: {
      load: () => store.getMeta<number>(`generation-ms:${config.replicateModel}`),
      save: (ms) => store.setMeta(`generation-ms:${config.replicateModel}`, ms),
    },
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
  const policy = new GuildPolicy({
    records: new GuildRecords(store),
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
  });
  const route = createInteractionRouter({ commands, ctx: { queue, policy, admin, log, clock }, cancel: queue, log });
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

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await upkeep.stop();
      await queue.stop();
      await responder.close();
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
