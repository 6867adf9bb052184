import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/quota/period.js';
import { embedReplyTo, messageLink, replyOnceShowing } from '../harness/member-steps.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { runAdmin } from '../harness/admin-steps.js';
import { predictionsReach, readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const mia = { id: '282000000000000001', username: 'mia' };
const minutes = (n: number) => n * 60_000;

const start = useWorldPerTest();

describe('/usage', () => {
  it("shows a member's seconds left and their reset, their jobs with places and ETAs, and links to their videos", async () => {
    const w = await start({ env: { QUOTA_DEFAULT_SECONDS: '60', GUILD_CONCURRENCY: '1' } });
    for (let i = 0; i < 4; i++) w.replicate.script({ durationMs: minutes(4) });
    const delivered = [];
    for (const prompt of ['a paper boat', 'a [bracketed] *kite*']) {
      const handle = requestVideo(w, mia, prompt);
      await predictionsReach(w, delivered.length + 1);
      await replyOnceShowing(w, handle, /Generating/);
      w.clock.jump(minutes(4));
      delivered.push(await readyPing(w, handle));
    }
    requestVideo(w, mia, 'a running lantern');
    await predictionsReach(w, 3);
    const waiting = requestVideo(w, mia, 'a waiting lantern');
    await replyOnceShowing(w, waiting, /position 1/);

    const { record, embed, text } = await embedReplyTo(w, 'usage', mia);

    expect(record.ackType).toBe(5);
    expect(record.ephemeral).toBe(true);
    expect(record.original!.allowedMentions).toEqual({ parse: [] });
    // Two delivered (10 s) and two on their way (10 s reserved) of 60 seconds today.
    const resets = Math.floor(periodOf('day', w.clock.now()).end / 1000);
    expect(embed.description).toBe(`**Seconds of video:** 40 of 60 seconds left today · resets <t:${resets}:R>`);
    const jobs = embed.fields!.find((f) => f.name === 'Your jobs')!.value.split('\n');
    expect(jobs).toEqual([
      '• Generating: “a running lantern” (5 s) · about 4 min left',
      '• Waiting, position 1: “a waiting lantern” (5 s) · ready in about 8 min',
    ]);
    // Newest first, each linking to the message the video is in.
    const links = embed.fields!.find((f) => f.name === 'Your last videos')!.value.split('\n');
    const [boat, kite] = delivered.map((r) => messageLink(w.discord.defaultGuildId, r.channelId, r.original!.id));
    expect(links).toHaveLength(2);
    expect(links[0]).toMatch(new RegExp(`^• \\[“a bracketed \\\\\\*kite\\\\\\*”\\]\\(${kite!.replace(/[/.]/g, '\\$&')}\\) · <t:\\d+:R>$`));
    expect(links[1]).toContain(`](${boat!})`);
    expect(text).not.toContain('budget');
  });

  it("leaves out the videos of a member a moderator made the bot forget, and keeps counting their seconds", async () => {
    const w = await start({ env: { QUOTA_DEFAULT_SECONDS: '60' } });
    await readyPing(w, requestVideo(w, mia, 'a private garden'));
    await untilNoActiveJobs(w);
    expect((await embedReplyTo(w, 'usage', mia)).embed.fields![1]!.value).toMatch(/^• \[“a private garden”\]/);

    await runAdmin(w, 'forget', { member: mia.id });
    const { embed } = await embedReplyTo(w, 'usage', mia);
    expect(embed.description).toContain('55 of 60 seconds left today');
    expect(embed.fields![1]).toEqual({ name: 'Your last videos', value: 'No videos yet.' });
  });

  it('says an unlimited allowance plainly, and that there is nothing yet', async () => {
    const { embed } = await embedReplyTo(await start(), 'usage', mia);
    expect(embed.description).toBe('**Seconds of video:** Unlimited');
    expect(embed.fields).toEqual([
      { name: 'Your jobs', value: 'None waiting or running.' },
      { name: 'Your last videos', value: 'No videos yet.' },
    ]);
  });
});
