import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import type { FakeGuild, InteractionHandle } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

const guildCount = 30;
const perGuild = 10;
const guilds: FakeGuild[] = Array.from({ length: guildCount }, (_, g) => ({
  id: `2600000000000${String(g).padStart(2, '0')}000`,
  name: `Server ${g}`,
  channels: [{ id: `2600000000000${String(g).padStart(2, '0')}001`, name: 'general' }],
}));

const world = useWorld({
  // Eight may wait per server: the last requests of each server are refused, the rest deferred.
  env: { GUILD_QUEUE_LIMIT: '8', USER_PENDING_LIMIT: '2' },
  discord: { guilds },
  replicate: { defaultDurationMs: 600_000 },
});

describe('a burst of /video requests across many servers', () => {
  it('acknowledges every one of 300 simultaneous requests within Discord’s three seconds', async () => {
    const handles: InteractionHandle[] = [];
    for (let n = 0; n < perGuild; n++) {
      for (const [g, guild] of guilds.entries()) {
        const user = { id: `2610000000000${String(g).padStart(2, '0')}00${Math.floor(n / 2)}`, username: `m${g}-${n}` };
        handles.push(requestVideo(world(), user, `burst ${g}/${n}`, { guildId: guild.id }));
      }
    }

    // Every request gets a callback attempt; a late one is answered 10062 by the fake and shows up as not accepted.
    const latencies = await world().discord.waitFor(
      (d) => {
        const all = d.ackLatencies();
        return handles.every((h) => all.some((l) => l.interactionId === h.id)) && all;
      },
      { timeoutMs: 15_000, description: 'a callback for every request' },
    );

    expect(latencies).toHaveLength(handles.length);
    const late = latencies.filter((l) => !l.accepted).map((l) => `${l.latencyMs} ms -> HTTP ${l.status}`);
    expect(late, `callbacks refused by the fake (slowest accepted: ${Math.max(...latencies.map((l) => l.latencyMs))} ms)`).toEqual([]);
    const records = handles.map((h) => world().discord.interaction(h.id));
    const deferred = records.filter((r) => r.ackType === 5);
    const refused = records.filter((r) => r.ackType === 4);
    expect(deferred.length + refused.length).toBe(handles.length);
    expect(deferred.every((r) => !r.ephemeral)).toBe(true);
    for (const r of refused) {
      expect(r.ephemeral).toBe(true);
      expect(r.original!.content).toBe(refusalText('queue-full'));
    }
    // Every server got its first eight requests in line, whatever the order they were processed in; and never more
    // than its limits allow: eight waiting plus what had already started (two per server, four in the process).
    expect(deferred.length).toBeGreaterThanOrEqual(guildCount * 8);
    expect(deferred.length).toBeLessThanOrEqual(guildCount * 8 + 4);
    for (const [g, guild] of guilds.entries()) {
      // Requests were sent server by server in turn: request i went to server i % guildCount.
      const inGuild = records.filter((r, i) => i % guildCount === g && r.ackType === 5);
      expect(inGuild.length, `deferred in ${guild.name}`).toBeGreaterThanOrEqual(8);
      expect(inGuild.length, `deferred in ${guild.name}`).toBeLessThanOrEqual(8 + 2);
    }
    const started = world().bot.queue.stats();
    expect(started.running).toBeLessThanOrEqual(4);
  });
});
