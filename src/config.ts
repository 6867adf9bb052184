import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseModelList, type CatalogueEntry } from './models/catalogue.js';
import { parseModelsFile, type ModelsFile } from './models/models-file.js';

/** Operator settings, read once from the environment (and `.env` when present). Frozen after parsing. */
export interface Config {
  discordToken: string;
  replicateApiToken: string;
  /** Register commands in this guild only (instant); global when unset. */
  discordGuildId: string | undefined;
  /** Discord REST base handed to discord.js as `rest.api` (the client appends `/v10`). */
  discordApiUrl: string;
  /** Replicate API base handed to the client as `baseUrl`. */
  replicateApiUrl: string;
  /** The default model (REPLICATE_MODEL): always in `models`. */
  replicateModel: `${string}/${string}`;
  /** REPLICATE_MODELS with their prices (PRICE_PER_SECOND_USD where unpriced); REPLICATE_MODEL first unless listed. */
  models: readonly CatalogueEntry[];
  /** MODELS_FILE's overrides by `owner/name` (empty without one), checked against each schema once it is read. */
  modelsFile: ModelsFile;
  /** keyv storage: `sqlite://path` (default), `redis://…`, `postgresql://…`. */
  storageUrl: string;
  /** Predictions running at once on the Replicate account, across every process on the store (slot-pool.ts). */
  maxConcurrentPredictions: number;
  /** Predictions running at once per guild. */
  guildConcurrency: number;
  /** Jobs waiting per guild. */
  guildQueueLimit: number;
  /** Jobs waiting or running per member per guild. */
  userPendingLimit: number;
  /** Base interval of status polling, in ms. */
  pollIntervalMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** ffmpeg binary to re-encode videos that are too large; found automatically when unset. */
  ffmpegPath: string | undefined;
  /** Each member's allowance, in seconds of video per period, where the guild set none (`unlimited` allowed). */
  quotaDefaultSeconds: number | 'unlimited';
  /** When allowances reset: every day at 00:00 UTC, or every week from Monday 00:00 UTC. */
  quotaPeriod: 'day' | 'week';
  /** Estimated price of one second of video, in US dollars: for estimates only (check the model's page). */
  pricePerSecondUsd: number;
  /**
   * The bot's public base URL (PUBLIC_URL, e.g. https://bot.example.com): when set, predictions are created with a
   * webhook to `<publicUrl>/webhooks/replicate/<owner>` and polling drops to a once-a-minute safety net.
   */
  publicUrl: string | undefined;
  /** Replicate's webhook signing secret (`whsec_…`); fetched from Replicate at start when unset. Never logged. */
  replicateWebhookSecret: string | undefined;
  /** Port of the HTTP server (/healthz, /metrics, webhooks); off when unset, 0 = any free port (tests). */
  httpPort: number | undefined;
  /** Interface the HTTP server listens on (default 0.0.0.0). */
  httpHost: string;
  /** Connections the HTTP server holds at once (default 256); past it a new one is closed on arrival. */
  httpMaxConnections: number;
  /**
   * Bearer token `/metrics` asks for (`Authorization: Bearer <token>`); open when unset. `/healthz` and the
   * webhooks never ask for it. A secret: scrubbed from every log line.
   */
  metricsToken: string | undefined;
  /** `npm run start:sharded`: how many shards in all (SHARD_COUNT); unset = Discord's recommended count. */
  shardCount: number | undefined;
  /** `npm run start:sharded`: the shards this machine runs (SHARD_IDS, e.g. `0-3` or `4,5`); unset = all of them. */
  shardIds: number[] | undefined;
  /**
   * The one shard this process is (discord.js's ShardingManager sets SHARDS and SHARD_COUNT in its children):
   * its owner in the store is `shard-<id>`. Unset for `npm start`, which serves every guild as `main`.
   */
  shard: { id: number; count: number } | undefined;
}

const hints: Record<string, string> = {
  DISCORD_TOKEN:
    'set it to your bot token (Discord Developer Portal → your application → Bot → Reset Token)',
  REPLICATE_API_TOKEN: 'set it to an API token from https://replicate.com/account/api-tokens',
};

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * What each setting must be, in the project's words: the operator reads this line, never the validation library's
 * ("received NaN"). Values are not echoed: STORAGE_URL may hold a password.
 */
const rules: Record<string, string> = {
  DISCORD_TOKEN: 'is missing',
  REPLICATE_API_TOKEN: 'is missing',
  DISCORD_GUILD_ID: 'must be a server id (17 to 20 digits; Discord → Developer Mode → right-click the server → Copy Server ID)',
  DISCORD_API_URL: 'must be a URL such as https://discord.com/api',
  REPLICATE_API_URL: 'must be a URL such as https://api.replicate.com/v1',
  REPLICATE_MODEL: 'must look like owner/name, e.g. kwaivgi/kling-v1.6-standard',
  STORAGE_URL: 'must start with sqlite://, redis:// or postgresql://',
  MAX_CONCURRENT_PREDICTIONS: 'must be a whole number ≥ 1',
  GUILD_CONCURRENCY: 'must be a whole number ≥ 1',
  GUILD_QUEUE_LIMIT: 'must be a whole number ≥ 1',
  USER_PENDING_LIMIT: 'must be a whole number ≥ 1',
  REPLICATE_POLL_INTERVAL_MS: 'must be a whole number of milliseconds ≥ 1',
  LOG_LEVEL: `must be one of ${logLevels.join(', ')}`,
  QUOTA_DEFAULT_SECONDS: 'must be a whole number of seconds ≥ 0, or unlimited',
  QUOTA_PERIOD: 'must be day or week',
  PRICE_PER_SECOND_USD: 'must be a price in US dollars ≥ 0, e.g. 0.05',
  PUBLIC_URL: 'must be an http(s) URL such as https://bot.example.com',
  REPLICATE_WEBHOOK_SECRET: 'must be the whsec_… signing secret from Replicate (or leave it unset to fetch it)',
  HTTP_PORT: 'must be a port number from 1 to 65535 (or 0 for any free port)',
  HTTP_HOST: 'must be a host name or IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1',
  HTTP_MAX_CONNECTIONS: 'must be a whole number ≥ 1',
  METRICS_TOKEN: 'must be at least 16 characters without spaces (e.g. the output of openssl rand -hex 24)',
  SHARD_COUNT: 'must be a whole number of shards ≥ 1',
  SHARD_IDS: 'must list shard ids like 0-3 or 4,5',
  SHARDS: 'must be one shard id (set by the sharding manager)',
};

/** Polling Replicate more often than this spends the account's request limit (shared by every prediction). */
export const minPollIntervalMs = 1000;

const wholeNumber = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(1))
    .default(fallback);
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  DISCORD_TOKEN: z.string().trim().min(1),
  REPLICATE_API_TOKEN: z.string().trim().min(1),
  DISCORD_GUILD_ID: optional.pipe(z.string().regex(/^\d{17,20}$/).optional()),
  DISCORD_API_URL: z.url().default('https://discord.com/api'),
  REPLICATE_API_URL: z.url().default('https://api.replicate.com/v1'),
  REPLICATE_MODEL: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/)
    .default('kwaivgi/kling-v1.6-standard'),
  STORAGE_URL: z
    .string()
    .regex(/^(sqlite|redis|rediss|postgres|postgresql):\/\//)
    .default('sqlite://data/bot.sqlite'),
  MAX_CONCURRENT_PREDICTIONS: wholeNumber(4),
  GUILD_CONCURRENCY: wholeNumber(2),
  GUILD_QUEUE_LIMIT: wholeNumber(20),
  USER_PENDING_LIMIT: wholeNumber(2),
  REPLICATE_POLL_INTERVAL_MS: wholeNumber(5000),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  FFMPEG_PATH: optional,
  QUOTA_DEFAULT_SECONDS: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(\d+|unlimited)$/)
    .transform((v) => (v === 'unlimited' ? ('unlimited' as const) : Number(v)))
    .default(60),
  QUOTA_PERIOD: z.string().trim().toLowerCase().pipe(z.enum(['day', 'week'])).default('day'),
  REPLICATE_MODELS: optional,
  MODELS_FILE: optional,
  PRICE_PER_SECOND_USD: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .default(0.05),
  PUBLIC_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  REPLICATE_WEBHOOK_SECRET: optional.pipe(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/).optional()),
  HTTP_PORT: optional.pipe(
    z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(0).max(65535)).optional(),
  ),
  HTTP_HOST: z.string().trim().regex(/^[\w.:[\]-]+$/).default('0.0.0.0'),
  HTTP_MAX_CONNECTIONS: wholeNumber(256),
  METRICS_TOKEN: optional.pipe(z.string().regex(/^\S{16,}$/).optional()),
  SHARD_COUNT: optional.pipe(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1)).optional()),
  SHARD_IDS: optional.pipe(z.string().regex(/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/).optional()),
  // discord.js's manager passes the child's shard as JSON (`1`, or `[1]` from a custom spawn).
  SHARDS: optional.pipe(z.string().regex(/^(\d+|\[\s*\d+\s*\])$/).transform((v) => Number(v.replace(/[[\]\s]/g, ''))).optional()),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment. Throws ConfigError with one line naming the first bad setting and what to do. */
export function parseConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    const what = cleaned[name] === undefined ? 'is missing' : (rules[name] ?? 'is not valid');
    throw new ConfigError(`${name} ${what}; ${hints[name] ?? 'see .env.example'}.`);
  }
  const e = result.data;
  const replicateApiUrl = e.REPLICATE_API_URL.replace(/\/+$/, '');
  refuseHarmful(e.STORAGE_URL, e.REPLICATE_POLL_INTERVAL_MS, replicateApiUrl);
  // A shard under the sharding manager hears its webhooks from the manager's port, over IPC.
  if (e.PUBLIC_URL !== undefined && e.HTTP_PORT === undefined && e.SHARDS === undefined) {
    throw new ConfigError('PUBLIC_URL is set but HTTP_PORT is not; set HTTP_PORT to the port Replicate\'s webhooks reach the bot on (PUBLIC_URL forwards to it).');
  }
  const replicateModel = e.REPLICATE_MODEL as `${string}/${string}`;
  const list = parseModelList(e.REPLICATE_MODELS, replicateModel, e.PRICE_PER_SECOND_USD);
  if (!list.ok) throw new ConfigError(`${list.message}; see .env.example.`);
  const modelsFile = e.MODELS_FILE === undefined ? {} : readModelsFile(e.MODELS_FILE, list.entries);
  const sharding = parseSharding(e.SHARD_COUNT, e.SHARD_IDS, e.SHARDS, e.STORAGE_URL);
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    replicateApiToken: e.REPLICATE_API_TOKEN,
    discordGuildId: e.DISCORD_GUILD_ID,
    discordApiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    replicateApiUrl,
    replicateModel,
    models: Object.freeze(list.entries),
    modelsFile,
    storageUrl: e.STORAGE_URL,
    maxConcurrentPredictions: e.MAX_CONCURRENT_PREDICTIONS,
    guildConcurrency: e.GUILD_CONCURRENCY,
    guildQueueLimit: e.GUILD_QUEUE_LIMIT,
    userPendingLimit: e.USER_PENDING_LIMIT,
    pollIntervalMs: e.REPLICATE_POLL_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    quotaDefaultSeconds: e.QUOTA_DEFAULT_SECONDS,
    quotaPeriod: e.QUOTA_PERIOD,
    pricePerSecondUsd: e.PRICE_PER_SECOND_USD,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    replicateWebhookSecret: e.REPLICATE_WEBHOOK_SECRET,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    httpMaxConnections: e.HTTP_MAX_CONNECTIONS,
    metricsToken: e.METRICS_TOKEN,
    ...sharding,
  });
}

/**
 * The models file, read once: a file that names a model the bot does not run is refused, since a typo there would
 * otherwise leave the intended model silently unconfigured.
 */
function readModelsFile(path: string, models: readonly CatalogueEntry[]): ModelsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a folder' : (code ?? 'unreadable');
    throw new ConfigError(`MODELS_FILE ${path} cannot be read (${why}); set it to the path of a JSON models file, or unset it.`);
  }
  const reading = parseModelsFile(text, `MODELS_FILE ${path}`);
  if (!reading.ok) throw new ConfigError(`${reading.message}.`);
  const stray = Object.keys(reading.file).find((model) => !models.some((m) => m.model === model));
  if (stray !== undefined) {
    throw new ConfigError(
      `MODELS_FILE ${path} configures ${stray}, which is not in REPLICATE_MODELS (nor REPLICATE_MODEL); add it there or remove it from the file.`,
    );
  }
  return reading.file;
}

/** SHARD_IDS expanded (`0-3,6` → [0, 1, 2, 3, 6]), checked against SHARD_COUNT; the process's own shard. */
function parseSharding(
  count: number | undefined,
  idsText: string | undefined,
  own: number | undefined,
  storageUrl: string,
): Pick<Config, 'shardCount' | 'shardIds' | 'shard'> {
  let shardIds: number[] | undefined;
  if (idsText !== undefined) {
    if (count === undefined) {
      throw new ConfigError('SHARD_IDS needs SHARD_COUNT: every machine must agree on the total, e.g. SHARD_COUNT=8 SHARD_IDS=0-3.');
    }
    const ids = new Set<number>();
    for (const part of idsText.split(',')) {
      const [from, to = from] = part.split('-').map((n) => Number(n.trim())) as [number, number?];
      if (to < from) throw new ConfigError(`SHARD_IDS has the range ${part.trim()}, which runs backwards; write it low-high.`);
      for (let id = from; id <= to; id++) ids.add(id);
    }
    const outside = [...ids].filter((id) => id >= count);
    if (outside.length > 0) {
      throw new ConfigError(`SHARD_IDS names shard ${outside[0]}, but SHARD_COUNT is ${count} (ids 0 to ${count - 1}).`);
    }
    if (storageUrl.startsWith('sqlite://')) {
      // SQLite is a file on this machine: shards elsewhere cannot share it, and a subset here means the rest is elsewhere.
      throw new ConfigError(
        'SHARD_IDS runs part of the shards for a store shared by several machines, and a sqlite:// store is one file on one machine: use redis:// or postgresql://, or unset SHARD_IDS to run every shard here.',
      );
    }
    shardIds = [...ids].sort((a, b) => a - b);
  }
  let shard: Config['shard'];
  if (own !== undefined) {
    if (count === undefined) throw new ConfigError('SHARDS is set without SHARD_COUNT; start shards with npm run start:sharded.');
    if (own >= count) throw new ConfigError(`SHARDS is ${own}, but SHARD_COUNT is ${count} (ids 0 to ${count - 1}).`);
    shard = { id: own, count };
  }
  return { shardCount: count, shardIds, shard };
}

/** Well-formed values that would still hurt: refused with the reason. */
function refuseHarmful(storageUrl: string, pollIntervalMs: number, replicateApiUrl: string): void {
  if (/^sqlite:\/\/\s*$/.test(storageUrl)) {
    // SQLite opens an anonymous temporary database for an empty path: every job would vanish at the next start.
    throw new ConfigError('STORAGE_URL sqlite:// needs a file path, e.g. sqlite://data/bot.sqlite.');
  }
  // A stand-in on this machine cannot spend an account's limit: the tests poll it every 20 ms.
  if (pollIntervalMs < minPollIntervalMs && !isLoopback(replicateApiUrl)) {
    throw new ConfigError(
      `REPLICATE_POLL_INTERVAL_MS is ${pollIntervalMs} ms, under the ${minPollIntervalMs} ms floor: polling that often uses up the Replicate account's request limit; set it to ${minPollIntervalMs} or more (shorter only with a REPLICATE_API_URL on this machine).`,
    );
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Reads `KEY=value` lines from a .env file into `env` without overriding what is already set. */
export function loadDotEnv(path: string, env: Record<string, string | undefined> = process.env): void {
  if (!existsSync(path)) return;
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    if (env[key] === undefined) env[key] = value;
  }
}

/**
 * For the entry points: `.env` then the environment, parsed once. A bad setting goes to `fail` as the one line the
 * operator reads (the entry point prints it and exits 1).
 */
export function loadConfigOr(fail: (message: string) => never, envFile = '.env'): Readonly<Config> {
  loadDotEnv(envFile);
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return fail(err.message);
  }
}
