import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { expectLogClean, refusals, webhookUrl } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a malformed webhook', () => {
  it('is refused with 400 (missing headers, not JSON, not a prediction) and the job is untouched', async () => {
    world().replicate.script({ durationMs: 300 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a tram in the rain');
    await world().logs.waitFor('prediction created');
    const url = webhookUrl(world());
    const { webhooks } = world().replicate;
    const json = { 'content-type': 'application/json' };
    const signatures: string[] = [];
    const signed = (body: string) => {
      const headers = webhooks.sign(body);
      signatures.push(headers['webhook-signature']!.slice(3));
      return { ...json, ...headers };
    };

    const noId = signed('{}');
    delete (noId as Record<string, string>)['webhook-id'];
    const answers = [
      await webhooks.postRaw({ url, body: '{}', headers: noId }),
      await webhooks.postRaw({ url, body: 'status=succeeded', headers: signed('status=succeeded') }),
      await webhooks.postRaw({ url, body: '["succeeded"]', headers: signed('["succeeded"]') }),
      await webhooks.postRaw({ url, body: '{"status":"succeeded"}', headers: signed('{"status":"succeeded"}') }),
    ];

    expect(answers).toEqual([400, 400, 400, 400]);
    expect(refusals(world()).map((r) => [r.outcome, r.status])).toEqual(Array(4).fill(['malformed', 400]));
    const record = await readyPing(world(), sent);
    expect(record.original!.attachments).toHaveLength(1);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world(), signatures);
  });
});
