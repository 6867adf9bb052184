import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld();

describe('Replicate answering with server errors', () => {
  it('retries a create that failed twice and a status poll that failed once, with one prediction in all', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, 5)]);
    world().replicate.failNext({ route: 'create', status: 502 });
    world().replicate.failNext({ route: 'create', status: 503 });
    world().replicate.failNext({ route: 'get', status: 500 });
    world().replicate.script({ durationMs: 300, output: video });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'waves against a pier' } });

    const record = await readyPing(world(), sent);

    expect(record.original!.content).toMatch(/^✅ /);
    expect(record.original!.content).not.toMatch(/\b5\d\d\b|error/i);
    expect(record.original!.attachments).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().replicate.predictions).toHaveLength(1);
    const creates = world().replicate.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => r.status)).toEqual([502, 503, 201]);
    const polls = world().replicate.requests.filter((r) => r.route === 'get');
    expect(polls[0]!.status).toBe(500);
    expect(polls.at(-1)!.status).toBe(200);
    expect(world().logs.find('prediction create failed, retrying')).toHaveLength(2);
    expect(world().logs.find('prediction poll failed, retrying')).toHaveLength(1);
  });
});
