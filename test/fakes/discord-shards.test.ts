import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Routes, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, snowflakeOnShard, shardOfGuild, type FakeDiscord, type FakeGuild } from './discord/fake-discord.js';

let fake: FakeDiscord | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  const current = fake;
  fake = undefined;
  if (current) {
    await current.close();
    current.assertNoUnexpectedRequests();
  }
});

function guild(shard: number, count: number, n: number): FakeGuild {
  const id = snowflakeOnShard(shard, count, n);
  return { id, name: `guild ${shard}.${n}`, channels: [{ id: snowflakeOnShard(0, 1, 100 + n * 4 + shard), name: 'general' }] };
}

/** A real discord.js Client for the given shards of `count`, logged in to the fake. */
async function login(shards: number[], count: number): Promise<Client> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake!.apiUrl }, shards, shardCount: count });
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(fake!.botToken);
  await ready;
  return client;
}

function interactions(client: Client): Interaction[] {
  const seen: Interaction[] = [];
  client.on(Events.InteractionCreate, (i) => void seen.push(i));
  return seen;
}

describe('fake Discord gateway with several shards', () => {
  const guilds = [guild(0, 2, 1), guild(1, 2, 2), guild(0, 2, 3), guild(1, 2, 4)];

  it('snowflakeOnShard ids land on the shard Discord formula names', () => {
    for (const count of [1, 2, 3, 16]) {
      for (let shard = 0; shard < count; shard++) expect(shardOfGuild(snowflakeOnShard(shard, count, 7), count)).toBe(shard);
    }
    expect(shardOfGuild('81384788765712384', 2)).toBe(Number((81384788765712384n >> 22n) % 2n));
  });

  it('two shard processes each get their own READY listing only the guilds their shard owns', async () => {
    fake = await startFakeDiscord({ guilds });
    const [first, second] = [await login([0], 2), await login([1], 2)];
    expect([...first.guilds.cache.keys()].sort()).toEqual([guilds[0]!.id, guilds[2]!.id].sort());
    expect([...second.guilds.cache.keys()].sort()).toEqual([guilds[1]!.id, guilds[3]!.id].sort());
    expect(first.ws.shards.first()?.id).toBe(0);
    expect(fake.connectedShards).toEqual([0, 1]);
    expect(fake.identifiedShards).toEqual([[0, 2], [1, 2]]);
  });

  it('an interaction reaches only the socket of the shard that owns its guild; a DM goes to shard 0', async () => {
    fake = await startFakeDiscord({ guilds });
    const [first, second] = [await login([0], 2), await login([1], 2)];
    const [seenFirst, seenSecond] = [interactions(first), interactions(second)];
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'one' }, guildId: guilds[1]!.id, channelId: guilds[1]!.channels[0]!.id });
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'two' }, guildId: guilds[2]!.id, channelId: guilds[2]!.channels[0]!.id });
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'dm' }, context: 'dm' });
    await fake.waitFor(() => seenFirst.length === 2 && seenSecond.length === 1, { description: 'three interactions' });
    expect(seenSecond.map((i) => i.guildId)).toEqual([guilds[1]!.id]);
    expect(seenFirst.map((i) => i.guildId)).toEqual([guilds[2]!.id, null]);
  });

  it('one client with both shards opens two connections without waiting for the identify limit', async () => {
    fake = await startFakeDiscord({ guilds, maxConcurrency: 2 });
    const started = Date.now();
    const client = await login([0, 1], 2);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(client.guilds.cache.size).toBe(4);
    expect(fake.connectedShards).toEqual([0, 1]);
  });

  it('/gateway/bot answers the recommended shard count and a max_concurrency of at least that', async () => {
    fake = await startFakeDiscord({ guilds, recommendedShards: 3 });
    const client = await login([0], 1);
    const answer = (await client.rest.get(Routes.gatewayBot())) as { shards: number; session_start_limit: { max_concurrency: number } };
    expect(answer.shards).toBe(3);
    expect(answer.session_start_limit.max_concurrency).toBeGreaterThanOrEqual(3);
  });

  it('a dropped shard resumes on its own socket and still gets its guilds\' interactions', async () => {
    fake = await startFakeDiscord({ guilds });
    const [first, second] = [await login([0], 2), await login([1], 2)];
    const [seenFirst, seenSecond] = [interactions(first), interactions(second)];
    fake.disconnectGateway(4000, 1);
    await fake.waitFor((f) => f.resumeCount === 1 && f.connectedShards.length === 2, { description: 'shard 1 resumed' });
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'after' }, guildId: guilds[3]!.id, channelId: guilds[3]!.channels[0]!.id });
    await fake.waitFor(() => seenSecond.length === 1, { description: 'interaction on shard 1' });
    expect(seenFirst).toEqual([]);
    expect(fake.identifyCount).toBe(2);
  });
});
