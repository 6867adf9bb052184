import { randomUUID } from 'node:crypto';
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
import { createDiscordObserver } from './ops/discord-observer.js';
import type { HttpRoute, HttpServer } from './ops/http-server.js';
import type { HealthReport } from './ops/health.js';
import { createBotHealthCheck, startOpsServer } from './ops/ops-server.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { periodOf } from './quota/period.js';
import { renderUsageReply } from './report/usage-reply.js';
import { createQueueService, type QueueService } from './queue/queue-service.js';
import { createAcknowledgementCheck } from './responder/acknowledgement-check.js';
import { createDiscordApi } from './responder/discord-api.js';
import { createReplicateClient } from './replicate/client.js';
import { createPredictionRunner } from './replicate/prediction-runner.js';
import { createModelReader } from './replicate/model-reader.js';
import { guildOfferedModels } from './models/offered.js';
import { startModelRegistry, type ModelRegistry } from './models/registry.js';
import { ModelSchemas } from './storage/model-schemas.js';
import { defaultRetryPolicy } from './replicate/retry.js';
import { createRequestBudget, kindOf, type RequestBudgetOptions } from './replicate/request-budget.js';
import { createPredictionInbox } from './replicate/prediction-inbox.js';
import type { WebhookOutcome } from './replicate/webhook-receiver.js';
import { prepareWebhookRoute } from './replicate/webhook-route.js';
import type { RetryPolicy } from './replicate/retry.js';
import { createDiscordResponder } from './responder/discord-responder.js';
import { responderTempRoot } from './responder/temp-dir.js';
import { GenerationRecords } from './storage/generation-records.js';
import { GuildRecords } from './storage/guild-records.js';
import { finishedJobRetentionDays, openStore, type Store } from './storage/keyv-store.js';
import { createSlotPool, type SlotPoolOptions } from './storage/slot-pool.js';
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
  /** The account-wide prediction slots' lease (see slot-pool.ts; defaults 30 s TTL, renewed every 5 s). */
  slots?: Pick<SlotPoolOptions, 'ttlMs' | 'renewEveryMs' | 'askEveryMs'>;
  /** The store lease (see lease.ts; defaults 30 s TTL, renewed every 10 s): the soak shortens it to freeze a holder past it. */
  lease?: { ttlMs?: number; renewEveryMs?: number };
  /** The account-wide Replicate request budget (see request-budget.ts). */
  budget?: Pick<RequestBudgetOptions, 'limitsPerMinute' | 'windowMs'>;
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
  /**
   * Process and Node.js metrics (CPU, memory, event loop, GC) in `metrics` (default: only with HTTP_PORT). A shard
   * whose manager aggregates its metrics over IPC sets it.
   */
  processMetrics?: boolean;
  /** Told of every webhook request and what became of it (the metrics count them). */
  onWebhook?: (outcome: WebhookOutcome) => void;
  /** Whose jobs, lease and prediction slots these are in the store (default `main`, or `shard-<id>` for a shard). */
  owner?: string;
  /** Another process took this one's lease over: called once the bot stopped (the process should exit). */
  onLeaseLost?: () => void;
}

export interface Bot {
  client: Client;
  queue: QueueService;
  /** The guilds' moderation rules and seconds ledger (this process owns every guild it serves). */
  policy: GuildPolicy;
  store: Store;
  log: Logger;
  /** This process's metrics (its own prom-client registry); the webhook endpoint reports through it too. */
  metrics: Metrics;
  /** The HTTP server (/healthz, /metrics) when HTTP_PORT is set; `http.port` is the port it got. */
  http: HttpServer | undefined;
  /** What `/healthz` reports, without HTTP (a sharding manager asks its shards over IPC). */
  health(): Promise<HealthReport>;
  /** The Replicate webhook endpoint in webhook mode (a sharding manager forwards this shard's webhooks to it). */
  webhookRoute: HttpRoute | undefined;
  /** Graceful stop: no new jobs, in-flight work halted with its state persisted, connections closed. */
  stop(): Promise<void>;
}

/** Composition root: config → logger → store → clients → services → router → login. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, tuning = {} } = options;
  const clock = options.clock ?? systemClock;
  // A shard is one of several processes on the store: its own owner (lease, active index, slots) and its own guilds.
  const owner = options.owner ?? ownerOf(config.shard);
  const owns = (guildId: string) => ownsGuild(config.shard, guildId);
  const secrets = [config.discordToken, config.replicateApiToken, ...(config.metricsToken ? [config.metricsToken] : [])];
  const log = createLogger({
    level: config.logLevel,
    secrets,
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
    lease: { ...tuning.lease, onLost: () => leaseLost() },
    notice: options.notice,
    signal: options.signal,
  });
  const store = options.wrapStore ? options.wrapStore(opened, log) : opened;
  // Process metrics (event-loop monitor, GC observer) only where something reads them.
  const metrics = createMetrics({ defaultMetrics: options.processMetrics ?? config.httpPort !== undefined });
  const observer = createDiscordObserver(metrics, clock);
  // Discord and Replicate cannot check a fencing token: nothing goes out unless the lease was confirmed recently.
  const gate = () => opened.fresh();
  const client = createDiscordClient({ apiUrl: config.discordApiUrl, onAnswer: observer.gatewayRest, gate, shard: config.shard });
  client.rest.setToken(config.discordToken);

  // The bot's own generation times: the poll schedule and the members' ETAs read the same history.
  const generationRecords = new GenerationRecords(store, config.replicateModel, owner);
  const history = new GenerationHistory(
    await generationRecords.load().catch((err: unknown) => {
      log.warn({ err }, 'generation times not read; ETAs come back after the next videos');
      return [];
    }),
  );
  // Webhook URLs name the store owner this process runs as, so a webhook reaches the process that holds the job.
  // Replicate's request limits hold for the whole account: every process on the store shares one budget.
  const budget = createRequestBudget({ takeTokens: (take) => opened.coordination.takeTokens(take), clock, log, ...tuning.budget });
  const replicate = createReplicateClient({
    token: config.replicateApiToken,
    baseUrl: config.replicateApiUrl,
    admit: async (url, method, signal) => {
      await budget.take(kindOf(url, method), signal);
      await gate();
    },
  });
  // Every catalogue model's schema, read before anything runs: the default model must be drivable to start.
  let models: ModelRegistry;
  try {
    models = await startModelRegistry({
      entries: config.models,
      modelsFile: config.modelsFile,
      read: createModelReader({
        client: replicate,
        clock,
        policy: { ...defaultRetryPolicy, ...tuning.retry },
        onRetry: ({ attempt, delayMs, failure }) => log.debug({ attempt, delayMs, kind: failure.kind }, 'model read failed, retrying'),
      }),
      copies: new ModelSchemas(store),
      clock,
      log,
      ...(options.notice ? { notice: options.notice } : {}),
    });
  } catch (err) {
    await client.destroy();
    await store.close();
    throw err;
  }
  const inbox = config.publicUrl ? createPredictionInbox(clock) : undefined;
  const runner = createPredictionRunner({
    client: replicate,
    prioritize: budget.withPriority,
    // One prediction per job and one job per prediction, across every process on the store.
    claims: opened.coordination.claims,
    ...(inbox && config.publicUrl ? { webhook: { publicUrl: config.publicUrl, owner, inbox } } : {}),
    model: config.replicateModel,
    models,
    clock,
    log,
    pollIntervalMs: config.pollIntervalMs,
    metrics,
    times: { history, save: (samples) => generationRecords.save(samples) },
    ...(tuning.retry ? { retry: tuning.retry } : {}),
    ...(tuning.defaultExpectedMs ? { defaultExpectedMs: tuning.defaultExpectedMs } : {}),
  });
  // The responder persists moved replies through the queue, which needs the responder: the closure is only
  // called once both exist.
  const responder = createDiscordResponder({
    rest: client.rest,
    uploadRest: createUploadRest({ apiUrl: config.discordApiUrl, token: config.discordToken, onAnswer: observer.uploadRest, gate }),
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
  const records = new GuildRecords(store, owner, owns, { clock, log });
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
      accepted: (job) => {
        metrics.jobAccepted(job);
        void modlog.jobAccepted(job);
      },
      ended: (job) => {
        metrics.jobEnded(job);
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
    models,
    clock,
    log,
  });
  // MAX_CONCURRENT_PREDICTIONS holds for the whole Replicate account: every process on the store shares the slots.
  const slots = createSlotPool({
    slots: opened.coordination.slots,
    cap: config.maxConcurrentPredictions,
    // This process's, not its owner's: a successor of the same owner never counts a stale process's slots as its own.
    holder: `${owner}:${randomUUID()}`,
    clock,
    log,
    ...tuning.slots,
  });
  const queue = createQueueService({
    slots,
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
    checkAcknowledgement: createAcknowledgementCheck({ api: createDiscordApi(client.rest), clock, log }),
  });

  const admin = createAdminService({
    policy,
    queue,
    operator: policy.operator,
    models,
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
    ctx: { queue, policy, admin, log, clock, models: guildOfferedModels(models, policy) },
    cancel: queue,
    log,
  });
  metrics.observeJobs(() => queue.liveJobs());
  client.on(Events.InteractionCreate, (interaction) => {
    observer.arrived(interaction.id);
    void route(interaction).finally(() => observer.settled(interaction.id));
  });
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  client.rest.on('rateLimited', (info) =>
    log.debug({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'discord rate limit'),
  );

  // Webhook mode: the signing secret is known (or fetched) before the endpoint can take a webhook.
  const routes: Record<string, HttpRoute> = {};
  try {
    if (inbox) {
      routes['/webhooks/replicate'] = await prepareWebhookRoute({
        secret: config.replicateWebhookSecret,
        client: replicate,
        store,
        inbox,
        owner,
        clock,
        log,
        learnSecret: (secret) => void secrets.push(secret, secret.replace(/^whsec_/, '')),
        ...(tuning.retry ? { retry: tuning.retry } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onOutcome: (outcome) => {
          metrics.webhookVerified(outcome);
          options.onWebhook?.(outcome);
        },
      });
    }
  } catch (err) {
    models.stop();
    await responder.close();
    await client.destroy();
    await store.close();
    throw err;
  }
  // The ledger is rebuilt from the jobs before anything is admitted: it never disagrees with them.
  await policy.start(await store.listActiveJobs(), (id) => store.getJob(id));
  await queue.start();
  await slots.start();
  const upkeep = scheduleUpkeep(store, clock, log);
  const health = createBotHealthCheck({ client, store, clock, log });
  let http: HttpServer | undefined;
  try {
    // Up before the login: a probe during the start reads 503 ("gateway") rather than nothing.
    if (config.httpPort !== undefined) {
      http = await startOpsServer({
        port: config.httpPort,
        host: config.httpHost,
        maxConnections: config.httpMaxConnections,
        metricsToken: config.metricsToken,
        health,
        metrics,
        log,
        routes,
      });
    }
    const notice = options.notice ?? (() => undefined);
    await loginWithRetry({ client, token: config.discordToken, clock, log, notice, signal: options.signal });
  } catch (err) {
    models.stop();
    await http?.close();
    await upkeep.stop();
    await queue.stop();
    await slots.stop();
    await responder.close();
    await client.destroy();
    await records.stop();
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
      // Webhooks stop first: Replicate retries a final one it could not deliver, and a restart polls at once.
      await http?.close();
      models.stop();
      await upkeep.stop();
      await queue.stop();
      await slots.stop();
      await responder.close();
      // Mod-log posts in flight get a moment; they never hold a stop up (the entry is edited by the next start).
      await Promise.race([modlog.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await client.destroy();
      await records.stop();
      await store.close();
      log.info('bot stopped');
    })();
    return stopping;
  };
  // One line says it (the lease's "another bot process took over the store lease"); then the process goes.
  leaseLost = () => void stop().finally(() => options.onLeaseLost?.());
  if (lostEarly) leaseLost();
  const webhookRoute = routes['/webhooks/replicate'];
  return { client, queue, policy, store, log, metrics, http, health: () => health.check(), webhookRoute, stop };
}
