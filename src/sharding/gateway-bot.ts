import { REST, Routes } from 'discord.js';

export interface GatewayBot {
  /** Discord's recommended shard count. */
  shards: number;
  /** Identifies allowed per 5 s (`session_start_limit.max_concurrency`). */
  maxConcurrency: number;
}

/** `GET /gateway/bot` through the configured Discord API (never discord.com directly), with a 10 s limit. */
export async function fetchGatewayBot(apiUrl: string, token: string): Promise<GatewayBot> {
  const rest = new REST({ api: apiUrl, timeout: 10_000, retries: 1 }).setToken(token);
  const answer = (await rest.get(Routes.gatewayBot())) as {
    shards?: unknown;
    session_start_limit?: { max_concurrency?: unknown };
  };
  const shards = Number(answer.shards);
  if (!Number.isInteger(shards) || shards < 1) throw new Error('GET /gateway/bot gave no shard count');
  const maxConcurrency = Number(answer.session_start_limit?.max_concurrency);
  return { shards, maxConcurrency: Number.isInteger(maxConcurrency) && maxConcurrency >= 1 ? maxConcurrency : 1 };
}

/** Identify window per bucket (5 s) plus discord.js's margin. */
const identifyWindowMs = 5_500;

/**
 * The manager's pause after each shard is ready. Separate processes do not share discord.js's identify throttle, so
 * this pause is what keeps to `max_concurrency` identifies per 5 s: none when every shard fits in one window.
 */
export function spawnDelayMs(shards: number, maxConcurrency: number | undefined): number {
  if (maxConcurrency === undefined) return identifyWindowMs;
  if (maxConcurrency >= shards) return 0;
  return Math.ceil(identifyWindowMs / maxConcurrency);
}
