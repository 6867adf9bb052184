import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, promptsAtReplicate, replyShowing, requestVideo } from '../harness/video-steps.js';

const member = (n: number) => ({ id: `25200000000000000${n}`, username: `member${n}` });

describe("what members are refused by the moderators' rules, before anything is queued", () => {
  const world = useWorld({ env: { USER_PENDING_LIMIT: '10', GUILD_QUEUE_LIMIT: '50' } });

  it('a blocked member is refused with the reason, and their waiting videos are canceled', async () => {
    const w = world();
    w.replicate.script({ durationMs: 60_000 });
    const eve = member(1);
    await runAdmin(w, 'limits', { concurrency: 1 });
    await predictionsReach(w, 0);
    requestVideo(w, member(2), 'someone else runs');
    await predictionsReach(w, 1);
    const waiting = requestVideo(w, eve, 'eve waits');
    await replyShowing(w, waiting, /position 1/);

    const blocked = await runAdmin(w, 'access block', { member: eve.id, reason: 'spamming the channel' });
    expect(blocked.original!.content).toContain('1 waiting video of theirs canceled');
    await replyShowing(w, waiting, /Canceled/i);
    expect(await refusalOf(w, requestVideo(w, eve, 'again'))).toBe(
      'A moderator has stopped you from making videos in this server: spamming the channel',
    );
    await runAdmin(w, 'access unblock', { member: eve.id });
    await replyShowing(w, requestVideo(w, eve, 'welcome back'), /position/);
    expect(promptsAtReplicate(w)).toEqual(['someone else runs']);
  });

  it('channels and roles: none listed lets everyone in; once one is, only those', async () => {
    const w = world();
    const other = w.discord.addChannel({ name: 'videos' }).id;
    await runAdmin(w, 'access channel', { channel: other, allowed: true });
    expect(await refusalOf(w, requestVideo(w, member(3), 'here'))).toBe(`Videos can't be made in this channel. Try <#${other}>.`);
    await runAdmin(w, 'access channel', { channel: other, allowed: false });
    const role = w.discord.addRole({ name: 'Creators' }).id;
    await runAdmin(w, 'access role', { role, allowed: true });
    expect(await refusalOf(w, requestVideo(w, member(3), 'no role'))).toBe(`Making videos here needs one of these roles: <@&${role}>.`);
    await replyShowing(w, requestVideo(w, member(3), 'with role', { roles: [role] }), /./);
  });

  it('pause refuses with the reason; resume accepts again', async () => {
    const w = world();
    await runAdmin(w, 'pause', { reason: 'budget review until Friday' });
    expect(await refusalOf(w, requestVideo(w, member(4), 'paused'))).toBe(
      'Video making is paused in this server: budget review until Friday',
    );
    await runAdmin(w, 'resume');
    await replyShowing(w, requestVideo(w, member(4), 'resumed'), /./);
  });

  it("a cooldown counts from the member's last accepted request", async () => {
    const w = world();
    await runAdmin(w, 'limits', { cooldown: 120 });
    await replyShowing(w, requestVideo(w, member(5), 'first'), /./);
    const text = await refusalOf(w, requestVideo(w, member(5), 'too soon'));
    const at = Number(/<t:(\d+):R>/.exec(text)![1]) * 1000;
    expect(text).toMatch(/^Please wait a little between videos: you can ask again <t:\d+:R>\.$/);
    expect(Math.abs(at - (w.clock.now() + 120_000))).toBeLessThan(2_000);
    w.clock.jump(121_000);
    await replyShowing(w, requestVideo(w, member(5), 'later'), /./);
  });

  it('10-second videos can be turned off', async () => {
    const w = world();
    await runAdmin(w, 'limits', { allow_10s: false });
    const handle = w.discord.sendSlashCommand({ name: 'video', user: member(6), options: { prompt: 'long', duration: 10 } });
    expect(await refusalOf(w, handle)).toBe('10-second videos are not allowed in this server. Please choose 5 seconds.');
  });

  it('a blocked word is named to the member only, whole words in any case, in the negative prompt too', async () => {
    const w = world();
    const added = await runAdmin(w, 'words add', { word: 'Gore' });
    expect(added.original!.content).toContain('added “Gore”');
    const handle = requestVideo(w, member(7), 'A scene full of GORE!');
    expect(await refusalOf(w, handle)).toBe("Your prompt has a word that isn't allowed in this server: “Gore”.");
    const negative = w.discord.sendSlashCommand({ name: 'video', user: member(7), options: { prompt: 'a calm lake', negative_prompt: 'gore' } });
    expect(await refusalOf(w, negative)).toMatch(/“Gore”/);
    await replyShowing(w, requestVideo(w, member(7), 'Gorey is my cat'), /./);
    const list = await runAdmin(w, 'words list');
    expect(list.ephemeral).toBe(true);
    expect(JSON.stringify(list.original!.embeds)).toContain('“Gore”');
    const removed = await runAdmin(w, 'words remove', { word: 'gore' });
    expect(removed.original!.content).toContain('removed “Gore”');
    await replyShowing(w, requestVideo(w, member(7), 'A scene full of GORE!'), /./);
  });

  it('the operator caps limits: a value over the cap is refused naming it, and nothing changes', async () => {
    const w = world();
    const over = await runAdmin(w, 'limits', { concurrency: 3 });
    expect(over.ackType).toBe(4);
    expect(over.original!.content).toBe('`concurrency` can be at most 2 (the bot operator\'s cap).');
    const settings = await runAdmin(w, 'settings');
    expect(JSON.stringify(settings.original!.embeds)).toContain('2 at once (cap 2)');
  });
});
