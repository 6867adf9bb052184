import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { onePixelPng } from '../harness/png.js';
import { storedValues } from '../harness/stored-values.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '258000000000000001', username: 'amy' };
const ben = { id: '258000000000000002', username: 'ben' };


describe('/video-admin forget', () => {
  const world = useWorld({ env: { QUOTA_DEFAULT_SECONDS: '10', USER_PENDING_LIMIT: '10' } });

  it("leaves none of the member's prompts or images in the store, and keeps their seconds counted", async () => {
    const w = world();
    const image = w.discord.addAttachment({ bytes: onePixelPng, filename: 'me.png' });
    await readyPing(w, w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'my secret garden', image } }));
    await readyPing(w, requestVideo(w, ben, 'ben keeps his words'));
    await untilNoActiveJobs(w);
    expect((await storedValues(w)).some((v) => v.includes('my secret garden'))).toBe(true);

    const answer = await runAdmin(w, 'forget', { member: amy.id });
    expect(answer.ephemeral).toBe(true);
    expect(answer.original!.content).toContain('1 finished video of theirs redacted');

    const values = await storedValues(w);
    expect(values.some((v) => v.includes('my secret garden'))).toBe(false);
    expect(values.some((v) => v.includes('ben keeps his words'))).toBe(true);
    const [queued] = w.logs.find('job queued').filter((e) => e.userId === amy.id);
    expect(await w.bot.store.loadImage(queued!.jobId as string)).toBeUndefined();

    // Their 5 seconds stay counted: 5 of 10 left, so a 10-second video is refused and a 5-second one is not.
    const long = w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'new words', duration: 10 } });
    expect(await refusalOf(w, long)).toMatch(/^You have 5 of 10 seconds left today; this video needs 10\./);
    await replyShowing(w, requestVideo(w, amy, 'a new request keeps its words'), /./);
  });
});
