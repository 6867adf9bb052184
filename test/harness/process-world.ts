import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { openStore, type Store } from '../../src/storage/keyv-store.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { spawnBot, type BotProcess } from './bot-process.js';

/**
 * The stand-ins run in the test process on the system clock (a JumpClock cannot cross processes); the bot runs in
 * child processes that share one SQLite file, so a test can kill one and start the next as an operator would.
 * Production timings apply in the child, except REPLICATE_POLL_INTERVAL_MS=20.
 */
export class ProcessWorld {
  readonly processes: BotProcess[] = [];

  private constructor(
    readonly discord: FakeDiscord,
    readonly replicate: FakeReplicate,
    private readonly dir: string,
  ) {}

  static async start(): Promise<ProcessWorld> {
    const discord = await startFakeDiscord();
    const replicate = await startFakeReplicate();
    return new ProcessWorld(discord, replicate, mkdtempSync(join(tmpdir(), 'bot-e2e-process-')));
  }

  get storageUrl(): string {
    return `sqlite://${join(this.dir, 'bot.sqlite')}`;
  }

  /** The environment `npm start` gets: tokens and URLs of the stand-ins, the shared store, debug logs. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.botToken,
      REPLICATE_API_TOKEN: this.replicate.token,
      DISCORD_API_URL: this.discord.apiUrl,
      REPLICATE_API_URL: this.replicate.baseUrl,
      STORAGE_URL: this.storageUrl,
      REPLICATE_POLL_INTERVAL_MS: '20',
      // Allowances are their own scenarios: elsewhere members may make as many videos as the limits let them.
      QUOTA_DEFAULT_SECONDS: 'unlimited',
      LOG_LEVEL: 'debug',
      ...extra,
    };
  }

  /** Starts a bot and waits until it is logged in and its commands are registered (or known unchanged). */
  /** `entry`: another start script (e.g. test/harness/owner-bot-main.ts, whose timings can be shortened). */
  async startBot(extra: Record<string, string> = {}, entry?: string): Promise<BotProcess> {
    const bot = spawnBot(this.env(extra), entry);
    this.processes.push(bot);
    await bot.waitForLog('bot ready');
    await bot.waitForLog(['commands registered', 'commands unchanged']);
    return bot;
  }

  /** Opens the bot's store the way the bot does; only while no bot process is running. */
  async openStore(): Promise<Store> {
    return openStore(this.storageUrl, createLogger({ level: 'silent', secrets: [] }));
  }

  secrets(): string[] {
    return [this.discord.botToken, this.replicate.token];
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((bot) => bot.kill('SIGKILL')));
    await this.discord.close();
    await this.replicate.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
