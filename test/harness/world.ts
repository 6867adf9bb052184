import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot, type Bot, type BotOptions, type BotTuning } from '../../src/bot.js';
import { parseConfig, type Config } from '../../src/config.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../fakes/discord/fake-discord.js';
import { startFakeReplicate, type FakeReplicate, type FakeReplicateOptions } from '../fakes/replicate/fake-replicate.js';
import { freePort } from './free-port.js';
import { LogSink } from './log-sink.js';
import { clearOfMidnight, JumpClock } from './test-clock.js';

export interface WorldOptions {
  /** Extra environment for the bot (limits etc.), as an operator would set it. */
  env?: Record<string, string>;
  discord?: Omit<FakeDiscordOptions, 'clock'>;
  replicate?: Omit<FakeReplicateOptions, 'clock'>;
  tuning?: BotTuning;
  /** Webhook mode: PUBLIC_URL and HTTP_PORT on a free loopback port, the secret fetched from the fake Replicate. */
  webhooks?: boolean;
}

/** Fast timings for tests: real behaviour, shorter waits. */
export const testTuning: BotTuning = {
  editIntervalMs: 0,
  progressIntervalMs: 60_000,
  retry: { baseDelayMs: 20, maxDelayMs: 100 },
  downloadBackoffMs: 10,
  defaultExpectedMs: 400,
};

/**
 * The real bot (composition root, discord.js Client, replicate client, SQLite in a temp dir) against the loopback
 * stand-ins, all on one JumpClock.
 */
export class World {
  bot!: Bot;
  readonly logs = new LogSink();
  /** Wraps the store of the next bot started (e.g. with a fault-injecting store). */
  wrapStore: BotOptions['wrapStore'];

  private constructor(
    readonly clock: JumpClock,
    readonly discord: FakeDiscord,
    readonly replicate: FakeReplicate,
    readonly config: Config,
    private readonly tuning: BotTuning,
    private readonly dir: string,
  ) {}

  static async start(options: WorldOptions = {}): Promise<World> {
    const clock = new JumpClock();
    clearOfMidnight(clock);
    const discord = await startFakeDiscord({ clock, ...options.discord });
    const replicate = await startFakeReplicate({ clock, defaultDurationMs: 300, ...options.replicate });
    const dir = mkdtempSync(join(tmpdir(), 'bot-e2e-store-'));
    const port = options.webhooks ? await freePort() : undefined;
    const webhookEnv = port === undefined ? {} : { PUBLIC_URL: `http://127.0.0.1:${port}`, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' };
    const config = parseConfig({
      DISCORD_TOKEN: discord.botToken,
      REPLICATE_API_TOKEN: replicate.token,
      DISCORD_API_URL: discord.apiUrl,
      REPLICATE_API_URL: replicate.baseUrl,
      STORAGE_URL: `sqlite://${join(dir, 'bot.sqlite')}`,
      REPLICATE_POLL_INTERVAL_MS: '20',
      // Allowances are their own scenarios: elsewhere members may make as many videos as the limits let them.
      QUOTA_DEFAULT_SECONDS: 'unlimited',
      LOG_LEVEL: 'debug',
      ...webhookEnv,
      ...options.env,
    });
    const world = new World(clock, discord, replicate, config, { ...testTuning, ...options.tuning }, dir);
    await world.startBot();
    return world;
  }

  async startBot(): Promise<Bot> {
    this.bot = await startBot({
      config: this.config,
      clock: this.clock,
      logDestination: this.logs,
      tuning: this.tuning,
      ...(this.wrapStore ? { wrapStore: this.wrapStore } : {}),
    });
    return this.bot;
  }

  /** Graceful stop and start on the same store, as an operator restarting the bot would. */
  async restart(): Promise<Bot> {
    await this.bot.stop();
    return this.startBot();
  }

  /** Every secret a test must never find in logs or messages. */
  secrets(): string[] {
    const webhookSecret = this.replicate.webhooks.secret;
    return [this.config.discordToken, this.config.replicateApiToken, webhookSecret, webhookSecret.replace(/^whsec_/, '')];
  }

  async close(): Promise<void> {
    await this.bot?.stop().catch(() => undefined);
    await this.discord.close();
    await this.replicate.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
