import { describe, expect, it } from 'vitest';
import { postWhole } from '../harness/post-whole.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { expectLogClean, refusals, webhookUrl } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a webhook body past 1 MiB', () => {
  it('is refused with 413 before it is read, the sender reads that answer every time, and the bot carries on', async () => {
    world().replicate.script({ durationMs: 300 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a balloon at dawn');
    await world().logs.waitFor('prediction created');
    const prediction = world().replicate.predictions[0]!;
    const body = JSON.stringify({ id: prediction.id, status: 'processing', logs: 'x'.repeat(1024 * 1024) });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...world().replicate.webhooks.sign(body) };

    const startedAt = Date.now();
    expect(await world().replicate.webhooks.postRaw({ url: webhookUrl(world()), body, headers })).toBe(413);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    // A sender that reads nothing until its whole body is out still reads the 413 (no reset under the answer).
    const url = new URL(webhookUrl(world()));
    for (let i = 0; i < 5; i++) {
      const answer = await postWhole(Number(url.port), url.pathname, headers, body);
      expect(answer).toMatchObject({ status: 413, text: expect.stringContaining('{"error":"body too large"}') });
    }
    expect(refusals(world())).toMatchObject(Array(6).fill({ outcome: 'oversized', status: 413 }));

    await readyPing(world(), sent);
    expectLogClean(world(), [headers['webhook-signature']!.slice(3)]);
  });
});
