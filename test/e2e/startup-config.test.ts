import { afterEach, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess } from '../harness/bot-process.js';
import { ProcessWorld } from '../harness/process-world.js';
import { freePort } from '../harness/free-port.js';

const replicateToken = 'r8_secret_value_0123456789';
const discordToken = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.discord-secret-token-value';

const started: BotProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((bot) => bot.kill('SIGKILL')));
});

function start(env: Record<string, string>): BotProcess {
  const bot = spawnBot(env);
  started.push(bot);
  return bot;
}

/** What `npm start` printed, both streams, for "never shows a token" checks. */
const everything = (bot: BotProcess) => bot.output + bot.stderr;

describe('npm start with a bad configuration', () => {
  it('stops with one line naming DISCORD_TOKEN and where to get one when it is missing', async () => {
    const bot = start({ REPLICATE_API_TOKEN: replicateToken });
    const exit = await bot.exited;

    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const lines = bot.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DISCORD_TOKEN');
    expect(lines[0]).toMatch(/missing/);
    expect(lines[0]).toMatch(/Developer Portal/);
    expect(everything(bot)).not.toContain(replicateToken);
  });

  it('stops with one line naming GUILD_CONCURRENCY when it is not a number', async () => {
    const bot = start({ DISCORD_TOKEN: discordToken, REPLICATE_API_TOKEN: replicateToken, GUILD_CONCURRENCY: 'abc' });
    const exit = await bot.exited;

    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const lines = bot.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('Cannot start: GUILD_CONCURRENCY must be a whole number ≥ 1; see .env.example.');
    expect(everything(bot)).not.toContain(replicateToken);
    expect(everything(bot)).not.toContain(discordToken);
  });
});

describe('npm start with a token Discord refuses', () => {
  it('stops with one line naming DISCORD_TOKEN, without printing either token', async () => {
    const world = await ProcessWorld.start();
    try {
      const bot = start(world.env({ DISCORD_TOKEN: discordToken, REPLICATE_API_TOKEN: replicateToken }));
      const exit = await bot.exited;

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const lines = bot.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/DISCORD_TOKEN was rejected by Discord/);
      expect(everything(bot)).not.toContain(replicateToken);
      expect(everything(bot)).not.toContain(discordToken);
      expect(world.discord.gatewayConnected).toBe(false);
    } finally {
      await world.close();
    }
  });
});

describe('npm start with a store that cannot be reached', () => {
  it('stops with exit code 1 and one plain Cannot start line, without a stack or the password', async () => {
    const world = await ProcessWorld.start();
    try {
      const port = await freePort();
      const bot = start(world.env({ STORAGE_URL: `postgresql://bot:store-password-value@127.0.0.1:${port}/bot` }));
      const exit = await bot.exited;

      expect(exit.code).toBe(1);
      const lines = bot.stderr.trimEnd().split('\n');
      // A plain line per retry (the store may be coming up), then the one reason.
      expect(lines.slice(0, -1)).toEqual(
        [2, 3, 4].map((n) => `The store at postgresql://127.0.0.1:${port}/bot is not reachable (connection refused); retrying in 2 s (attempt ${n} of 4)`),
      );
      expect(lines.at(-1)).toBe(`Cannot start: cannot read the store at postgresql://127.0.0.1:${port}/bot (connection refused)`);
      expect(bot.stderr).not.toMatch(/\n\s+at /);
      expect(everything(bot)).not.toContain('store-password-value');
      expect(world.discord.gatewayConnected).toBe(false);
    } finally {
      await world.close();
    }
  });
});

