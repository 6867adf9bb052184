import { describe, expect, it } from 'vitest';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

const world = useWorld();
const member = { id: '550000000000000001', username: 'sol' };

describe('the Replicate account out of credit for a while', () => {
  it('keeps the job waiting with an error line per try for the operator, and delivers once credit is back', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    w.replicate.failNext({ route: 'create', status: 402, times: 2 });
    const sent = requestVideo(w, member, 'a snail racing a leaf');

    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    const creates = w.replicate.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => r.status)).toEqual([402, 402, 201]);
    // Five minutes between tries: slow enough not to hammer a refusing account, soon enough once it is topped up.
    expect(creates[2]!.time - creates[0]!.time).toBeGreaterThanOrEqual(2 * 300_000);
    const refused = w.logs.entries().filter((e) => String(e.msg).startsWith('prediction create refused: '));
    expect(refused.map((e) => [e.level, e.status])).toEqual([[50, 402], [50, 402]]);
    expect(String(refused[0]!.fix)).toContain("account's credit");
    expect(w.replicate.requestCount('list')).toBe(0);
  });
});
