/** The real bot (src/bot.ts startBot) against the stand-ins, on the system clock with production timings. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot, type Bot, type BotTuning } from '../../src/bot.js';
import { parseConfig } from '../../src/config.js';
import type { FakeEndpoints } from './fake-world.js';

/** Keeps the bot's log lines (LOG_LEVEL=warn by default, so only trouble shows) to count and show them. */
export class CountingLog {
  readonly lines: string[] = [];
  count = 0;
  write(line: string): void {
    this.count++;
    if (this.lines.length < 20) this.lines.push(line.trim());
  }
}

export interface BenchBot {
  bot: Bot;
  log: CountingLog;
  stop(): Promise<void>;
  /**
   * For a bench process about to exit: removes the temp store without the graceful stop (which waits for every
   * job's pending store writes; after 10,000 accepted jobs that takes minutes).
   */
  abandon(): void;
}

/** `log` receives the bot's lines (a subclass can stamp the ones a bench waits for). */
export async function startBenchBot(
  endpoints: FakeEndpoints,
  env: Record<string, string> = {},
  tuning: BotTuning = {},
  log: CountingLog = new CountingLog(),
): Promise<BenchBot> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-bench-'));
  const config = parseConfig({
    DISCORD_TOKEN: endpoints.discordToken,
    REPLICATE_API_TOKEN: endpoints.replicateToken,
    DISCORD_API_URL: endpoints.discordApiUrl,
    REPLICATE_API_URL: endpoints.replicateUrl,
    // BENCH_STORAGE_URL (e.g. sqlite://:memory:) isolates the cost of the SQLite file store.
    STORAGE_URL: process.env.BENCH_STORAGE_URL ?? `sqlite://${join(dir, 'bot.sqlite')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    QUOTA_DEFAULT_SECONDS: 'unlimited',
    ...env,
  });
  const bot = await startBot({ config, logDestination: log, tuning });
  return {
    bot,
    log,
    async stop() {
      await bot.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    abandon() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
