import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { predictionsReach, promptsAtReplicate, readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';

const member = (n: number) => ({ id: `25100000000000000${n}`, username: `member${n}` });
const resetMarkup = /Resets <t:(\d+):R>\./;

describe('allowances in seconds of video', () => {
  const startWorld = useWorldPerTest();

  it("refuses a request over the member's allowance, saying what is left and when it resets, and grants add seconds", async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: '60', USER_PENDING_LIMIT: '10' } });
    const set = await runAdmin(w, 'quota default', { seconds: 10 });
    expect(set.ephemeral).toBe(true);
    expect(set.original!.content).toContain('default allowance: 60 s → 10 s');

    const amy = member(1);
    await readyPing(w, requestVideo(w, amy, 'first'));
    await replyShowing(w, requestVideo(w, amy, 'second'), /./);
    await predictionsReach(w, 2);

    const refused = await refusalOf(w, requestVideo(w, amy, 'third'));
    expect(refused).toMatch(/^You have 0 of 10 seconds left today; this video needs 5\./);
    const resetsAt = Number(resetMarkup.exec(refused)![1]) * 1000;
    const midnight = new Date(w.clock.now());
    midnight.setUTCHours(24, 0, 0, 0);
    expect(resetsAt).toBe(midnight.getTime());
    expect(promptsAtReplicate(w)).toEqual(['first', 'second']);

    const granted = await runAdmin(w, 'quota grant', { member: amy.id, seconds: 5 });
    expect(granted.original!.content).toContain('0 s → 5 s');
    await replyShowing(w, requestVideo(w, amy, 'granted'), /./);
    await predictionsReach(w, 3);

    // A reset clears the usage and keeps the grant: 15 seconds again.
    await runAdmin(w, 'quota reset', { member: amy.id });
    for (const prompt of ['r1', 'r2', 'r3']) await replyShowing(w, requestVideo(w, amy, prompt), /./);
    expect(await refusalOf(w, requestVideo(w, amy, 'r4'))).toMatch(/^You have 0 of 15 seconds left today/);
  });

  it('a 10-second video costs twice a 5-second one, and a new day gives the allowance back', async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: '10', USER_PENDING_LIMIT: '10' } });
    const ben = member(2);
    const ten = w.discord.sendSlashCommand({ name: 'video', user: ben, options: { prompt: 'long one', duration: 10 } });
    await readyPing(w, ten);
    expect(await refusalOf(w, requestVideo(w, ben, 'one more'))).toMatch(/^You have 0 of 10 seconds left today; this video needs 5\./);
    w.clock.jump(24 * 60 * 60 * 1000);
    await readyPing(w, requestVideo(w, ben, 'next day'));
  });

  it('a role allowance lifts members with that role; a member override replaces it even when lower', async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: '0', USER_PENDING_LIMIT: '10' } });
    const role = w.discord.addRole({ name: 'Patrons' }).id;
    const cy = member(3);
    const dee = member(4);
    expect(await refusalOf(w, requestVideo(w, cy, 'nothing yet'))).toMatch(/allowance in this server is 0 seconds/);
    await runAdmin(w, 'quota role', { role, unlimited: true });
    for (let i = 0; i < 3; i++) await replyShowing(w, requestVideo(w, cy, `cy ${i}`, { roles: [role] }), /./);
    await runAdmin(w, 'quota member', { member: dee.id, seconds: 5 });
    await replyShowing(w, requestVideo(w, dee, 'dee once', { roles: [role] }), /./);
    expect(await refusalOf(w, requestVideo(w, dee, 'dee twice', { roles: [role] }))).toMatch(/^You have 0 of 5 seconds/);
    await runAdmin(w, 'quota clear', { target: dee.id });
    await replyShowing(w, requestVideo(w, dee, 'dee unlimited again', { roles: [role] }), /./);
  });

  it('asks for exactly one of seconds or unlimited, and changes nothing on a bad value', async () => {
    const w = await startWorld({ env: { QUOTA_DEFAULT_SECONDS: '60' } });
    const both = await runAdmin(w, 'quota default', { seconds: 5, unlimited: true });
    expect(both.ackType).toBe(4);
    expect(both.original!.content).toBe('Give either `seconds` or `unlimited`, not both.');
    const neither = await runAdmin(w, 'quota member', { member: member(5).id });
    expect(neither.original!.content).toMatch(/Give `seconds` \(0 or more\) or `unlimited: True`/);
    const settings = await runAdmin(w, 'settings');
    expect(JSON.stringify(settings.original!.embeds)).toContain('60 s per day');
  });
});
