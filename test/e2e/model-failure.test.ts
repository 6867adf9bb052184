import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { failureShown, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld();

describe('a prediction the model fails', () => {
  it('tells the member in plain words that the model could not make the video, with no button left', async () => {
    world().replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'something the filter dislikes' } });

    const record = await failureShown(world(), sent, /could not make/);

    const final = record.original!;
    expect(final.content).toMatch(/^❌ The model could not make this video: NSFW content detected\n/);
    expect(final.content).toContain('something the filter dislikes');
    expect(final.content).not.toMatch(/[{}]|"error"|"status"|https?:\/\//);
    expect(final.components).toEqual([]);
    expect(final.attachments).toEqual([]);
    expect(record.followUps).toEqual([]);
    expect(world().replicate.predictions).toHaveLength(1);

    const [queued] = world().logs.find('job queued');
    const jobId = queued!.jobId as string;
    const job = await world().bot.store.getJob(jobId);
    expect(job?.state).toBe('failed');
    expect(job?.reason).toBe('The model could not make this video: NSFW content detected');
    await untilNoActiveJobs(world());
  });

  // The end is worded by src/queue/describe.ts, which reduces a JSON body to its message.
  it('shows a model error that came as a JSON body as its message only, never the raw JSON', async () => {
    const error = JSON.stringify({ detail: 'NSFW content detected', status: 400 });
    world().replicate.script({ durationMs: 300, outcome: 'failed', error });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'something the filter dislikes' } });

    const record = await failureShown(world(), sent, /could not make/);

    const firstLine = record.original!.content.split('\n')[0];
    expect(firstLine).toBe('❌ The model could not make this video: NSFW content detected');
    expect(record.original!.components).toEqual([]);
  });
});
