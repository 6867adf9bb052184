import { afterEach, describe, expect, it } from 'vitest';
import { bodySize, createReplicateClient, requestTimeoutFor } from '../../src/replicate/client.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';

const model = 'kwaivgi/kling-v1.6-standard';
let fake: FakeReplicate | undefined;

afterEach(async () => {
  const current = fake;
  fake = undefined;
  current?.assertNoUnexpectedRequests();
  await current?.close();
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

  it('gives an image upload on a slow uplink time in proportion to its size', async () => {
    // 512 KiB read at 1 MiB/s takes about half a second, far past the 150 ms base limit.
    fake = await startFakeReplicate({ uploadBytesPerSecond: 1024 * 1024 });
    const client = createReplicateClient({
      token: fake.token,
      baseUrl: fake.baseUrl,
      requestTimeoutMs: 150,
      minUploadBytesPerSecond: 256 * 1024,
    });
    const bytes = Buffer.alloc(512 * 1024, 7);
    const file = await client.files.create(new File([bytes], 'big.png', { type: 'image/png' }), { jobId: 'j1' });
    expect(file.size).toBe(bytes.length);
    expect(fake.requests.filter((r) => r.route === 'files').map((r) => r.status)).toEqual([201]);
  });
});

describe('request time limits', () => {
  it('a 10 MB image on a 64 KiB/s uplink gets the 30 s base plus about 153 s; a bodiless request the base', () => {
    expect(requestTimeoutFor(10_000_000, 30_000, 64 * 1024)).toBe(30_000 + 152_588);
    expect(requestTimeoutFor(0, 30_000, 64 * 1024)).toBe(30_000);
  });

  it('counts the bytes of the bodies the client sends', () => {
    const form = new FormData();
    form.append('content', new Blob([Buffer.alloc(1000)]), 'a.png');
    form.append('metadata', new Blob(['{"jobId":"j"}']));
    expect(bodySize(form)).toBe(1013);
    expect(bodySize('{"input":{"prompt":"é"}}')).toBe(25);
    expect(bodySize(undefined)).toBe(0);
  });
});
