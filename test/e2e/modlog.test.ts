import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { moderator, runAdmin } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const amy = { id: '256000000000000001', username: 'amy' };
const text = (embeds: unknown[]) => JSON.stringify(embeds);

/** The mod-log's messages, each as the latest version of its embeds. */
function modlogEntries(w: World, channelId: string) {
  return w.discord.channelMessages(channelId).map((m) => ({ id: m.id, embeds: text(m.embeds), edits: m.history.length }));
}

describe('the mod-log', () => {
  const world = useWorld({ env: { GUILD_CONCURRENCY: '1' } });

  it('posts one entry per accepted video and edits that same entry with the outcome', async () => {
    const w = world();
    const modlog = w.discord.addChannel({ name: 'mod-log' }).id;
    const set = await runAdmin(w, 'modlog', { channel: modlog });
    expect(set.original!.content).toContain(`mod-log: off → <#${modlog}>`);
    expect(set.original!.content).not.toContain('⚠️');
    // The change itself is the channel's first line: who changed what, from what to what.
    await w.discord.waitFor(() => w.discord.channelMessages(modlog).length === 1, { description: 'the settings line' });
    expect(modlogEntries(w, modlog)[0]!.embeds).toContain(`<@${moderator.id}> changed`);

    const delivered = requestVideo(w, amy, 'a fox in the snow');
    const entry = await w.discord.waitFor(() => modlogEntries(w, modlog)[1], { description: 'the job entry' });
    expect(entry.embeds).toContain('a fox in the snow');
    expect(entry.embeds).toContain(`<@${amy.id}>`);
    expect(entry.embeds).toContain('$0.25');
    await readyPing(w, delivered);
    const done = await w.discord.waitFor(
      () => modlogEntries(w, modlog).find((m) => m.id === entry.id && m.embeds.includes('delivered')),
      { description: 'the entry edited as delivered' },
    );
    expect(done.embeds).toMatch(/https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+/);

    // A waiting job canceled by a moderator: the entry says so, and still one line per job.
    w.replicate.script({ durationMs: 60_000 });
    requestVideo(w, { id: '256000000000000002', username: 'ben' }, 'runs long');
    const waiting = requestVideo(w, amy, 'waits');
    const shown = await replyShowing(w, waiting, /position 1/);
    w.discord.pressButton({ message: shown, customId: cancelButtonOf(shown), user: moderator, permissions: PermissionFlagsBits.ManageGuild });
    await w.discord.waitFor(() => modlogEntries(w, modlog).some((m) => m.embeds.includes(`canceled by <@${moderator.id}>`)), {
      description: 'the entry edited as canceled by the moderator',
    });
    expect(modlogEntries(w, modlog)).toHaveLength(4);
  });

  it('a mod-log channel the bot cannot post in never holds a video up, and settings shows the problem', async () => {
    const w = world();
    const modlog = w.discord.addChannel({ name: 'locked' }).id;
    w.discord.setBotPermissions(modlog, PermissionFlagsBits.ViewChannel);
    const set = await runAdmin(w, 'modlog', { channel: modlog });
    expect(set.original!.content).toMatch(/⚠️/);

    await readyPing(w, requestVideo(w, amy, 'still delivered'));
    expect(w.discord.channelMessages(modlog)).toEqual([]);
    const settings = await runAdmin(w, 'settings');
    expect(text(settings.original!.embeds)).toContain('Problems');
    const warnings = w.logs.entries().filter((e) => e.level === 40 && /mod-log/.test(String(e.msg)));
    expect(warnings.length).toBeGreaterThan(0);
  });
});
