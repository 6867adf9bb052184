import { afterEach, describe, expect, it } from 'vitest';
import { createReplicateClient } from '../../src/replicate/client.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';

const model = 'kwaivgi/kling-v1.6-standard';
let fake: FakeReplicate;

afterEach(async () => {
  fake.assertNoUnexpectedRequests();
  await fake.close();
});

describe('createReplicateClient', () => {
  it('a connection reset on create reaches Replicate once: the client never resends the POST', async () => {
    fake = await startFakeReplicate();
    const client = createReplicateClient({ token: fake.token, baseUrl: fake.baseUrl });
    fake.failNext({ route: 'create', reset: true, times: 10 });
    await expect(client.predictions.create({ model, input: { prompt: 'x' } })).rejects.toThrow('fetch failed');
    expect(fake.requestCount('create')).toBe(1);
  });

  it('a 429 or 503 on GET is one request, thrown with its real status and Retry-After', async () => {
    fake = await startFakeReplicate();
    const client = createReplicateClient({ token: fake.token, baseUrl: fake.baseUrl });
    fake.failNext({ route: 'get', status: 429, retryAfterSeconds: 4 });
    const err = await client.predictions.get('r8x').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', response: { status: 429 } });
    expect((err as { response: Response }).response.headers.get('retry-after')).toBe('4');
    expect((err as Error).message).toContain('Request was throttled');
    fake.failNext({ route: 'get', status: 503, times: 10 });
    await expect(client.predictions.get('r8x')).rejects.toMatchObject({ response: { status: 503 } });
    expect(fake.requestCount('get')).toBe(2);
  });

  it('works normally otherwise, paging included', async () => {
    fake = await startFakeReplicate({ pageSize: 1 });
    const client = createReplicateClient({ token: fake.token, baseUrl: fake.baseUrl });
    await client.predictions.create({ model, input: { prompt: 'a' } });
    await client.predictions.create({ model, input: { prompt: 'b' } });
    const prompts: unknown[] = [];
    for await (const page of client.paginate(() => client.predictions.list())) prompts.push(...page.map((p) => (p.input as { prompt: string }).prompt));
    expect(prompts).toEqual(['b', 'a']);
  });

  it('gives up on a request that hangs past the timeout', async () => {
    fake = await startFakeReplicate();
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const client = createReplicateClient({ token: fake.token, baseUrl: fake.baseUrl, fetch: hanging, requestTimeoutMs: 50 });
    await expect(client.predictions.get('r8x')).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
