import { afterEach, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess } from '../harness/bot-process.js';
import { freePort as deadPort } from '../harness/free-port.js';

const started: BotProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((bot) => bot.kill('SIGKILL')));
});


describe('npm start with a store nobody answers', () => {
  it('says it retries a few times, then stops with one line naming the store (no password) and exit code 1', async () => {
    const port = await deadPort();
    const bot = spawnBot({
      DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.discord-secret-token-value',
      REPLICATE_API_TOKEN: 'r8_secret_value_0123456789',
      STORAGE_URL: `redis://bot:s3cret@127.0.0.1:${port}/0`,
    });
    started.push(bot);
    const exit = await bot.exited;

    expect(exit.code).toBe(1);
    const where = `redis://127.0.0.1:${port}/0`;
    expect(bot.stderr.trimEnd().split('\n')).toEqual([
      `The store at ${where} is not reachable (connection refused); retrying in 2 s (attempt 2 of 4)`,
      `The store at ${where} is not reachable (connection refused); retrying in 2 s (attempt 3 of 4)`,
      `The store at ${where} is not reachable (connection refused); retrying in 2 s (attempt 4 of 4)`,
      `Cannot start: cannot read the store at ${where} (connection refused)`,
    ]);
    // Three waits of 2 s, then the end: bounded, never a hang.
    expect(exit.afterMs).toBeLessThan(20_000);
    expect(bot.output + bot.stderr).not.toContain('s3cret');
    expect(bot.find('store not reachable, retrying in 2 s (attempt 2 of 4)')).toHaveLength(1);
  });
});
