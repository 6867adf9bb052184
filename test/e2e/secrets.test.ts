import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';

const world = useWorld();

/** Everything any member could read: every version of every reply, follow-up and channel message. */
function everythingShown(interactionIds: string[]): string {
  const shown: unknown[] = [];
  for (const id of interactionIds) {
    const record = world().discord.interaction(id);
    shown.push(record.originalHistory, record.followUps.map((f) => f.history));
  }
  for (const guild of world().discord.guilds) {
    for (const channel of guild.channels) shown.push(world().discord.channelMessages(channel.id).map((m) => m.history));
  }
  return JSON.stringify(shown);
}

describe('secrets', () => {
  it('never reach the logs or any message, on a delivered job or on failing ones', async () => {
    // A delivered job that met a Replicate 503 on create and a 500 on a poll: errors carrying request URLs get logged.
    world().replicate.failNext({ route: 'create', status: 503 });
    world().replicate.failNext({ route: 'get', status: 500 });
    world().replicate.script({ durationMs: 300 });
    const delivered = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a kite over dunes' } });
    await world().discord.waitFor((d) => d.interaction(delivered.id).followUps.length > 0, {
      timeoutMs: 15_000,
      description: 'the first video to be delivered',
    });

    // A job the model fails, whose every webhook edit Discord answers with a 500.
    world().replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    const failed = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a kite in a storm' } });
    world().discord.failNext({ method: 'PATCH', pathPattern: new RegExp(failed.token), status: 500, times: 100 });
    await world().discord.waitFor(() => world().logs.find('final edit failed').length > 0, {
      timeoutMs: 15_000,
      description: 'the failed job’s final edit to be given up',
    });

    // A job Replicate throttles for an hour: it waits (the longest wait the bot takes at once), its error logged.
    world().replicate.failNext({ route: 'create', status: 429, retryAfterSeconds: 3600 });
    const throttled = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a kite at night' } });
    await world().discord.waitFor(
      () => world().logs.find('prediction create failed, retrying').some((e) => e.delayMs === 900_000),
      { timeoutMs: 15_000, description: 'the throttled job to wait' },
    );

    expect(world().logs.find('final edit failed')[0]!.err).toMatchObject({ status: 500 });
    expect(world().logs.find('prediction create failed, retrying').length).toBeGreaterThan(0);
    expect(world().logs.find('prediction poll failed, retrying').length).toBeGreaterThan(0);
    const secrets = [...world().secrets(), delivered.token, failed.token, throttled.token];
    const shown = everythingShown([delivered.id, failed.id, throttled.id]);
    for (const secret of secrets) {
      expect(world().logs.text).not.toContain(secret);
      expect(shown).not.toContain(secret);
    }
    for (const secret of world().secrets()) {
      expect(JSON.stringify(world().replicate.predictions.map((p) => p.input))).not.toContain(secret);
    }
  });
});
