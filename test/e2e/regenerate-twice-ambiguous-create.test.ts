import { describe, expect, it } from 'vitest';
import { pressAgain } from '../harness/again-steps.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '210000000000000001', username: 'amy' };
const ben = { id: '210000000000000002', username: 'ben' };

const world = useWorld();

const clip = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, fill)]);

describe('Regenerate pressed twice at once, one create answered 502 after Replicate made it', () => {
  it('makes two predictions and two videos, each delivered once to the job that made it', async () => {
    const w = world();
    const original = clip(1);
    w.replicate.script({ durationMs: 300, output: original });
    w.replicate.script({ durationMs: 300, output: clip(2) });
    w.replicate.script({ durationMs: 300, output: clip(3) });
    const asked = requestVideo(w, amy, 'a heron on one leg');
    const delivered = (await readyPing(w, asked)).original!;
    await untilNoActiveJobs(w);

    // Identical text-only requests within a second: the earlier predictions match the ambiguous one's input.
    w.replicate.failNext({ route: 'create', status: 502, processed: true });
    const presses = [pressAgain(w, delivered, 'regen', amy), pressAgain(w, delivered, 'regen', ben)];
    const records = await Promise.all(presses.map((press) => readyPing(w, press, { description: "a regenerated video's ping" })));
    await untilNoActiveJobs(w);

    expect(w.replicate.predictions).toHaveLength(3);
    expect(w.replicate.requests.filter((r) => r.route === 'create').map((r) => r.status).sort()).toEqual([201, 201, 502]);
    expect(w.logs.find('prediction adopted after an ambiguous create')).toHaveLength(1);
    const jobs = await Promise.all(w.logs.find('job queued').map((l) => w.bot.store.getJob(l.jobId as string)));
    expect(jobs).toHaveLength(3);
    expect(new Set(jobs.map((j) => j!.predictionId)).size).toBe(3);
    for (const [i, record] of records.entries()) {
      const job = jobs.find((j) => j!.reply.interactionId === presses[i]!.id)!;
      const made = w.replicate.predictions.find((p) => p.id === job.predictionId)!;
      expect(job.state).toBe('done');
      expect(record.original!.attachments).toHaveLength(1);
      expect(record.original!.attachments[0]!.bytes.equals(made.output)).toBe(true);
      expect(record.original!.attachments[0]!.bytes.equals(original)).toBe(false);
      expect(record.followUps).toHaveLength(1);
    }
    const [first, second] = records.map((r) => r.original!.attachments[0]!.bytes);
    expect(first!.equals(second!)).toBe(false);
    expect(w.discord.interaction(asked.id).original!.attachments[0]!.bytes.equals(original)).toBe(true);
  });
});
