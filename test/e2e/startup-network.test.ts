import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { spawnBot, waitUntil, type BotProcess } from '../harness/bot-process.js';
import { freePort } from '../harness/free-port.js';

const applicationId = '1234567890123456789';
const botToken = `${Buffer.from(applicationId).toString('base64url')}.fake.startup-network-token-value`;

let replicate: FakeReplicate;
let dir: string;
const closing: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  replicate = await startFakeReplicate();
  dir = mkdtempSync(join(tmpdir(), 'bot-startup-network-'));
});

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await replicate.close();
  rmSync(dir, { recursive: true, force: true });
});


function start(discordApiUrl: string): BotProcess {
  const bot = spawnBot({
    DISCORD_TOKEN: botToken,
    REPLICATE_API_TOKEN: replicate.token,
    DISCORD_API_URL: discordApiUrl,
    REPLICATE_API_URL: replicate.baseUrl,
    STORAGE_URL: `sqlite://${join(dir, 'bot.sqlite')}`,
    REPLICATE_POLL_INTERVAL_MS: '20',
    LOG_LEVEL: 'debug',
  });
  closing.push(() => bot.kill('SIGKILL'));
  return bot;
}

async function startDiscord(port?: number): Promise<FakeDiscord> {
  const discord = await startFakeDiscord({ port, botToken, applicationId });
  closing.push(() => discord.close());
  return discord;
}

const retryLines = (bot: BotProcess) => bot.stderr.split('\n').filter((line) => line.startsWith('Discord is not reachable yet'));

describe('npm start while the network is not up yet', () => {
  it('says Discord is not reachable yet, retries, and starts once Discord answers', async () => {
    const port = await freePort();
    const bot = start(`http://127.0.0.1:${port}/api`);

    await waitUntil(() => retryLines(bot).length >= 1, { description: 'the first retry line' });
    expect(retryLines(bot)[0]).toMatch(
      new RegExp(`^Discord is not reachable yet \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); retrying in \\d+ s$`),
    );
    expect(bot.hasExited).toBe(false);
    expect(bot.find('discord unreachable; login retried later')[0]).toMatchObject({ level: 40, attempt: 1 });

    const discord = await startDiscord(port);
    await bot.waitForLog('bot ready');
    await bot.waitForLog(['commands registered', 'commands unchanged']);
    expect(discord.gatewayConnected).toBe(true);
    expect(bot.stderr).not.toContain('Cannot start');
    expect(bot.output + bot.stderr).not.toContain(botToken);

    const exit = await bot.kill('SIGTERM');
    expect(exit.code).toBe(0);
  }, 60_000);

  it('retries while Discord answers 5xx, with the status in the line', async () => {
    const discord = await startDiscord();
    // @discordjs/rest tries each request four times: eight 503s fail two logins in a row.
    discord.failNext({ method: 'GET', pathPattern: /\/gateway\/bot$/, status: 503, times: 8 });
    const bot = start(discord.apiUrl);

    await bot.waitForLog('bot ready');
    expect(retryLines(bot)).toHaveLength(2);
    expect(retryLines(bot)[0]).toMatch(/^Discord is not reachable yet \(Discord answered 503 Service Unavailable\); retrying in 1 s$/);
    expect(retryLines(bot)[1]).toMatch(/retrying in 2 s$/);
    expect(bot.stderr).not.toContain('Cannot start');
    await bot.kill('SIGTERM');
  }, 60_000);

  it('keeps retrying when the Discord host name does not resolve', async () => {
    const bot = start('http://discord.invalid/api');

    await waitUntil(() => retryLines(bot).length >= 2, { description: 'two retry lines' });
    expect(retryLines(bot)[0]).toMatch(/^Discord is not reachable yet \(getaddrinfo (ENOTFOUND|EAI_AGAIN) discord\.invalid\); retrying in 1 s$/);
    expect(bot.hasExited).toBe(false);
    await bot.kill('SIGTERM');
  }, 60_000);

  it('stops at once with exit code 0 on SIGTERM while it waits for Discord', async () => {
    const bot = start(`http://127.0.0.1:${await freePort()}/api`);
    await waitUntil(() => retryLines(bot).length >= 1, { description: 'the first retry line' });

    const exit = await bot.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeLessThan(5_000);
    expect(bot.stderr).not.toContain('Cannot start');
  }, 60_000);
});
