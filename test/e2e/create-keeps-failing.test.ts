import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld();

describe('Replicate refusing creates with 503 over and over', () => {
  it('keeps trying without telling the member anything failed, and delivers with exactly one prediction', async () => {
    world().replicate.failNext({ route: 'create', status: 503, times: 10 });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a paper boat in a gutter' } });

    const record = await readyPing(world(), sent);

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(world().replicate.predictions).toHaveLength(1);
    const creates = world().replicate.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => r.status)).toEqual([...Array<number>(10).fill(503), 201]);
    // A 503 may hide a prediction Replicate made: every create after the first was preceded by a look.
    const wire = world().replicate.requests.filter((r) => r.route === 'create' || r.route === 'list').map((r) => r.route);
    expect(wire).toEqual(['create', ...Array<string[]>(10).fill(['list', 'create']).flat()]);
    expect(world().logs.find('prediction create failed, retrying')).toHaveLength(10);
    expect(world().logs.find('prediction create gave up')).toEqual([]);
  });
});
