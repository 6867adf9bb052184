import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.js';
import { createLogger } from '../../src/logger.js';
import { describeUnreachable, loginWithRetry } from '../../src/login-with-retry.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { waitUntil } from '../harness/bot-process.js';
import { ManualClock } from '../harness/test-clock.js';
import { freePort } from '../harness/free-port.js';

const applicationId = '1234567890123456780';
const token = `${Buffer.from(applicationId).toString('base64url')}.fake.login-retry-token-value`;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});


describe('logging in while Discord is unreachable', () => {
  it('waits 1, 2, 4, 8, 16 s, then 30 s at most between tries, and logs in once Discord answers', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const client = createDiscordClient({ apiUrl: `http://127.0.0.1:${port}/api` });
    cleanup.push(() => client.destroy());
    const notices: string[] = [];
    const login = loginWithRetry({
      client,
      token,
      clock,
      log: createLogger({ level: 'silent', secrets: [] }),
      notice: (line) => notices.push(line),
    });
    let settled = false;
    void login.finally(() => (settled = true));

    const waits: number[] = [];
    for (let tries = 1; tries <= 7; tries++) {
      await waitUntil(() => notices.length === tries, { description: `retry notice #${tries}` });
      const wait = Number(/retrying in (\d+) s$/.exec(notices.at(-1)!)![1]);
      waits.push(wait);
      expect(clock.nextDue()).toBe(clock.now() + wait * 1000);
      if (tries < 7) await clock.advance(wait * 1000);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect(notices[0]).toBe(`Discord is not reachable yet (connect ECONNREFUSED 127.0.0.1:${port}); retrying in 1 s`);
    expect(settled).toBe(false);

    const discord: FakeDiscord = await startFakeDiscord({ port, botToken: token, applicationId });
    cleanup.push(() => discord.close());
    await clock.advance(30_000);
    await login;
    expect(client.isReady()).toBe(true);
    expect(client.application?.id).toBe(applicationId);
    expect(notices).toHaveLength(7);
  }, 30_000);

  it('throws a refused token at once, without a retry', async () => {
    const discord = await startFakeDiscord({ botToken: token, applicationId });
    cleanup.push(() => discord.close());
    const client = createDiscordClient({ apiUrl: discord.apiUrl });
    cleanup.push(() => client.destroy());
    const notices: string[] = [];
    const login = loginWithRetry({
      client,
      token: `${token}-wrong`,
      clock: new ManualClock(),
      log: createLogger({ level: 'silent', secrets: [] }),
      notice: (line) => notices.push(line),
    });
    await expect(login).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(notices).toEqual([]);
  });

  it('names a request that got no answer in time as unreachable, and a 4xx answer as not', () => {
    expect(describeUnreachable(new DOMException('This operation was aborted', 'AbortError'))).toBe('no answer in time');
    const cause = Object.assign(new Error('getaddrinfo EAI_AGAIN discord.com'), { code: 'EAI_AGAIN' });
    expect(describeUnreachable(new TypeError('fetch failed', { cause }))).toBe('getaddrinfo EAI_AGAIN discord.com');
    expect(describeUnreachable(new Error('something else'))).toBeUndefined();
  });
});
