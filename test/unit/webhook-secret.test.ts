import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { createReplicateClient } from '../../src/replicate/client.js';
import { createPredictionInbox } from '../../src/replicate/prediction-inbox.js';
import { prepareWebhookRoute } from '../../src/replicate/webhook-route.js';
import { fetchWebhookSecret } from '../../src/replicate/webhook-secret.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { LogSink } from '../harness/log-sink.js';
import { MemoryStore } from '../harness/memory-store.js';

let fake: FakeReplicate | undefined;
afterEach(async () => {
  fake?.assertNoUnexpectedRequests();
  await fake?.close();
  fake = undefined;
});

async function setup(token?: string) {
  fake = await startFakeReplicate();
  const logs = new LogSink();
  const secrets = [fake.token];
  const log = createLogger({ level: 'debug', secrets, bare: true, destination: logs });
  const client = createReplicateClient({ token: token ?? fake.token, baseUrl: fake.baseUrl });
  return { fake, logs, log, client, secrets };
}

const retry = { baseDelayMs: 5, maxDelayMs: 10, random: () => 0.5 };

describe('the webhook signing secret', () => {
  it('is fetched from Replicate through the configured API URL, passing failures retried, and never logged', async () => {
    const { fake, logs, log, client } = await setup();
    fake.failNext({ route: 'webhook-secret', status: 503, times: 2 });
    const secret = await fetchWebhookSecret(client, { clock: systemClock, log, retry });
    expect(secret).toBe(fake.webhooks.secret);
    expect(fake.requestCount('webhook-secret')).toBe(3);
    expect(logs.find('webhook secret fetch failed, retrying')).toHaveLength(2);
    expect(logs.text).not.toContain(secret.slice(6));
  });

  it('a refused token fails the start at once, in one line naming what to set', async () => {
    const { fake, log, client } = await setup('r8_wrong_token');
    const failing = fetchWebhookSecret(client, { clock: systemClock, log, retry });
    await expect(failing).rejects.toThrow(
      /^cannot fetch Replicate's webhook signing secret \(.*\); set REPLICATE_WEBHOOK_SECRET, or check REPLICATE_API_TOKEN/,
    );
    expect(fake.requestCount('webhook-secret')).toBe(1);
  });

  it('is not fetched when REPLICATE_WEBHOOK_SECRET gives it; either way the log learns to scrub it', async () => {
    const { fake, log, client, secrets } = await setup();
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    await prepareWebhookRoute({
      secret: given,
      client,
      store: new MemoryStore(),
      inbox: createPredictionInbox(systemClock),
      owner: 'main',
      clock: systemClock,
      log,
      learnSecret: (s) => void secrets.push(s),
    });
    expect(fake.requestCount('webhook-secret')).toBe(0);
    expect(secrets).toContain(given);
  });
});
