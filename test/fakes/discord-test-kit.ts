import { once } from 'node:events';
import { Client, DiscordAPIError, Events, GatewayIntentBits, type Interaction } from 'discord.js';
import { afterEach, expect } from 'vitest';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './discord/fake-discord.js';

/** The fake plus a real discord.js Client logged in to it, for the fake's own tests. */
export interface FakeSession {
  fake: FakeDiscord;
  client: Client;
  /** Destroys the client, closes the fake and fails on unexpected requests or refused bodies. */
  stop(): Promise<void>;
}

export async function startSession(options: FakeDiscordOptions = {}): Promise<FakeSession> {
  const fake = await startFakeDiscord(options);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.botToken);
  await ready;
  return {
    fake,
    client,
    async stop() {
      await client.destroy();
      await fake.close();
      fake.assertNoUnexpectedRequests();
    },
  };
}

/**
 * For a test file: returns a starter of sessions and stops (and checks) the one a test started after it. One
 * session per test.
 */
export function useSessions(): (options?: FakeDiscordOptions) => Promise<FakeSession> {
  let current: FakeSession | undefined;
  afterEach(async () => {
    const session = current;
    current = undefined;
    await session?.stop();
  });
  return async (options = {}) => {
    if (current) throw new Error('a session is already running in this test');
    current = await startSession(options);
    return current;
  };
}

/** The next interaction the client receives that passes `accept` (a type guard), or a rejection naming its type. */
export function nextInteraction<T extends Interaction>(
  client: Client,
  accept: (i: Interaction) => i is T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    client.once(Events.InteractionCreate, (i) =>
      accept(i) ? resolve(i) : reject(new Error(`unexpected interaction type ${i.type}`)),
    );
  });
}

export async function expectDiscordError(promise: Promise<unknown>, code: number, status?: number): Promise<DiscordAPIError> {
  const error: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).code).toBe(code);
  if (status !== undefined) expect((error as DiscordAPIError).status).toBe(status);
  return error as DiscordAPIError;
}
