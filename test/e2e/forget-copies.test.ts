import { describe, expect, it } from 'vitest';
import { runAdmin } from '../harness/admin-steps.js';
import { pressAgain } from '../harness/again-steps.js';
import { onePixelPng } from '../harness/png.js';
import { storedValues } from '../harness/stored-values.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '259000000000000001', username: 'amy' };
const ben = { id: '259000000000000002', username: 'ben' };


describe('/video-admin forget reaches the copies of a member’s input', () => {
  const world = useWorld({ env: { USER_PENDING_LIMIT: '10' } });

  it("removes their prompt and image from another member's Regenerate and from the mod-log, and says what stays in Discord", async () => {
    const w = world();
    const modlog = w.discord.addChannel({ name: 'mod-log' }).id;
    await runAdmin(w, 'modlog', { channel: modlog });
    const image = w.discord.addAttachment({ bytes: onePixelPng, filename: 'garden.png' });
    const asked = w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'my secret garden', image } });
    const delivered = (await readyPing(w, asked)).original!;
    await readyPing(w, pressAgain(w, delivered, 'regen', ben), { description: "ben's regenerate delivered" });
    await untilNoActiveJobs(w);
    const entries = () => w.discord.channelMessages(modlog).filter((m) => JSON.stringify(m.embeds).includes('Video request'));
    await w.discord.waitFor(() => entries().length === 2 && entries().every((m) => JSON.stringify(m.embeds).includes('delivered')), {
      description: 'both mod-log entries final',
    });
    expect(entries().every((m) => m.attachments.length === 1)).toBe(true);

    const answer = await runAdmin(w, 'forget', { member: amy.id });
    const text = answer.original!.content;
    expect(text).toContain('1 finished video of theirs redacted');
    expect(text).toContain("1 copy made by other members (Regenerate, Remix) redacted");
    expect(text).toContain('2 mod-log entries edited');
    expect(text).toContain("the delivered videos' own messages stay");

    const values = await storedValues(w);
    expect(values.filter((v) => v.includes('my secret garden'))).toEqual([]);
    const copies = w.logs.find('job queued').filter((e) => e.userId === ben.id);
    expect(await w.bot.store.loadImage(copies[0]!.jobId as string)).toBeUndefined();
    for (const entry of entries()) {
      expect(JSON.stringify(entry.embeds)).not.toContain('my secret garden');
      expect(entry.attachments).toEqual([]);
      expect(JSON.stringify(entry.embeds)).not.toContain('thumbnail');
    }
  });
});
