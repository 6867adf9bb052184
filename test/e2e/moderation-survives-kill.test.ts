import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { useProcessWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useProcessWorld();
const amy = { id: '255000000000000001', username: 'amy' };
const env = { QUOTA_DEFAULT_SECONDS: '60', USER_PENDING_LIMIT: '10' };

describe('settings, usage and grants survive kill -9', () => {
  it("after a SIGKILL mid-job, a member's usage is what their jobs say and the moderators' settings hold", async () => {
    world().replicate.script({ durationMs: 200 });
    world().replicate.script({ durationMs: 4_000 });
    const bot = await world().startBot(env);
    await runAdmin(world(), 'quota default', { seconds: 10 });
    await runAdmin(world(), 'quota grant', { member: amy.id, seconds: 5 });
    await runAdmin(world(), 'words add', { word: 'forbidden' });

    await readyPing(world(), world().discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'delivered' } }));
    world().discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'long one', duration: 10 } });
    await bot.waitForLog('prediction created', { count: 2 });
    expect((await bot.kill('SIGKILL')).signal).toBe('SIGKILL');

    await world().startBot(env);
    // 15 s in all (10 + the grant): 5 delivered, 10 reserved by the job still running at Replicate.
    const refused = await refusalOf(world(), world().discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'more' } }));
    expect(refused).toMatch(/^You have 0 of 15 seconds left today; this video needs 5\./);
    const word = await refusalOf(world(), world().discord.sendSlashCommand({ name: 'video', user: { id: '255000000000000002', username: 'ben' }, options: { prompt: 'a forbidden dance' } }));
    expect(word).toMatch(/“forbidden”/);
    const settings = await runAdmin(world(), 'settings');
    expect(JSON.stringify(settings.original!.embeds)).toContain('10 s per day');
    expect(world().replicate.predictions).toHaveLength(2);
  });
});
