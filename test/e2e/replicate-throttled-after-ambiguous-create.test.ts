import { describe, expect, it } from 'vitest';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

const world = useWorld();
const member = { id: '540000000000000001', username: 'rui' };

describe('Replicate throttling the bot right after a create it may have accepted', () => {
  it('waits out a five-minute Retry-After on the look-up, adopts the prediction the 502 hid, and delivers it', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    w.replicate.failNext({ route: 'create', status: 502, processed: true });
    w.replicate.failNext({ route: 'list', status: 429, retryAfterSeconds: 300 });
    const sent = requestVideo(w, member, 'fireflies over a pond');

    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    const wire = w.replicate.requests.filter((r) => r.route === 'create' || r.route === 'list').map((r) => `${r.route} ${r.status}`);
    expect(wire).toEqual(['create 502', 'list 429', 'list 200']);
    const lists = w.replicate.requests.filter((r) => r.route === 'list');
    expect(lists[1]!.time - lists[0]!.time).toBeGreaterThanOrEqual(300_000);
    expect(w.logs.find('prediction adopted after an ambiguous create')).toHaveLength(1);
  });
});
