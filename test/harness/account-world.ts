import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { spawnBot, type BotProcess } from './bot-process.js';
import { RedisServer } from './redis-server.js';

/**
 * Several bot processes on one Replicate account and one Redis store, each with an owner of its own (as shards
 * are) and a Discord stand-in of its own (the fake gateway serves one connection). Everything runs on the system
 * clock; the bots are child processes (test/harness/owner-bot-main.ts), so a test can kill one with kill -9.
 */
export class AccountWorld {
  readonly processes: BotProcess[] = [];

  private constructor(
    readonly redis: RedisServer,
    readonly replicate: FakeReplicate,
    readonly discords: FakeDiscord[],
    private readonly env: Record<string, string>,
  ) {}

  /** `env`: settings every bot gets (MAX_CONCURRENT_PREDICTIONS and the like). */
  static async start(bots: number, env: Record<string, string> = {}): Promise<AccountWorld> {
    const redis = await RedisServer.start();
    const replicate = await startFakeReplicate({ defaultDurationMs: 1_500 });
    const discords = await Promise.all(Array.from({ length: bots }, () => startFakeDiscord()));
    return new AccountWorld(redis, replicate, discords, env);
  }

  /** Starts bot `index` (its own Discord) as `owner` and waits until it is ready. */
  async startBot(index: number, owner: string, extra: Record<string, string> = {}): Promise<BotProcess> {
    const discord = this.discords[index]!;
    const bot = spawnBot(
      {
        DISCORD_TOKEN: discord.botToken,
        DISCORD_API_URL: discord.apiUrl,
        REPLICATE_API_TOKEN: this.replicate.token,
        REPLICATE_API_URL: this.replicate.baseUrl,
        STORAGE_URL: `${this.redis.url}/0`,
        REPLICATE_POLL_INTERVAL_MS: '100',
        QUOTA_DEFAULT_SECONDS: 'unlimited',
        LOG_LEVEL: 'debug',
        BOT_OWNER: owner,
        ...this.env,
        ...extra,
      },
      'test/harness/owner-bot-main.ts',
    );
    this.processes.push(bot);
    await bot.waitForLog('bot ready');
    await bot.waitForLog(['commands registered', 'commands unchanged']);
    return bot;
  }

  /** Every prediction's creation time at Replicate whose prompt starts with `prefix`. */
  createdAt(prefix: string): number[] {
    return this.replicate.predictions.filter((p) => String(p.input.prompt).startsWith(prefix)).map((p) => p.createdAt);
  }

  assertNoUnexpectedRequests(): void {
    for (const discord of this.discords) discord.assertNoUnexpectedRequests();
    this.replicate.assertNoUnexpectedRequests();
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((bot) => bot.kill('SIGKILL')));
    for (const discord of this.discords) await discord.close();
    await this.replicate.close();
    await this.redis.close();
  }
}
