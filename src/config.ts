import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

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
  replicateModel: `${string}/${string}`;
  /** keyv storage: `sqlite://path` (default), `redis://…`, `postgresql://…`. */
  storageUrl: string;
  /** Predictions running at once in this process. */
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
}

const hints: Record<string, string> = {
  DISCORD_TOKEN:
    'set it to your bot token (Discord Developer Portal → your application → Bot → Reset Token)',
  REPLICATE_API_TOKEN: 'set it to an API token from https://replicate.com/account/api-tokens',
};

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  DISCORD_TOKEN: z.string().trim().min(1),
  REPLICATE_API_TOKEN: z.string().trim().min(1),
  DISCORD_GUILD_ID: optional.pipe(z.string().regex(/^\d{17,20}$/, 'must be a server id (17-20 digits)').optional()),
  DISCORD_API_URL: z.url().default('https://discord.com/api'),
  REPLICATE_API_URL: z.url().default('https://api.replicate.com/v1'),
  REPLICATE_MODEL: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/name')
    .default('kwaivgi/kling-v1.6-standard'),
  STORAGE_URL: z
    .string()
    .regex(/^(sqlite|redis|rediss|postgres|postgresql):\/\//, 'must start with sqlite://, redis:// or postgresql://')
    .default('sqlite://data/bot.sqlite'),
  MAX_CONCURRENT_PREDICTIONS: positiveInt(4),
  GUILD_CONCURRENCY: positiveInt(2),
  GUILD_QUEUE_LIMIT: positiveInt(20),
  USER_PENDING_LIMIT: positiveInt(2),
  REPLICATE_POLL_INTERVAL_MS: positiveInt(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FFMPEG_PATH: optional,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment. Throws ConfigError with one line naming the first bad setting and what to do. */
export function parseConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    const missing = cleaned[name] === undefined;
    const what = missing ? 'is missing' : `is invalid: ${issue.message}`;
    const hint = hints[name] ?? 'see .env.example';
    throw new ConfigError(`${name} ${what}; ${hint}.`);
  }
  const e = result.data;
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    replicateApiToken: e.REPLICATE_API_TOKEN,
    discordGuildId: e.DISCORD_GUILD_ID,
    discordApiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    replicateApiUrl: e.REPLICATE_API_URL.replace(/\/+$/, ''),
    replicateModel: e.REPLICATE_MODEL as `${string}/${string}`,
    storageUrl: e.STORAGE_URL,
    maxConcurrentPredictions: e.MAX_CONCURRENT_PREDICTIONS,
    guildConcurrency: e.GUILD_CONCURRENCY,
    guildQueueLimit: e.GUILD_QUEUE_LIMIT,
    userPendingLimit: e.USER_PENDING_LIMIT,
    pollIntervalMs: e.REPLICATE_POLL_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
  });
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
