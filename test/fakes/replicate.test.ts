import Replicate from 'replicate';
import { afterEach, describe, expect, it } from 'vitest';
import { JumpClock } from '../harness/test-clock.js';
import { startFakeReplicate, type FakeReplicate } from './replicate/fake-replicate.js';

const model = 'kwaivgi/kling-v1.6-standard';
let fake: FakeReplicate | undefined;

async function start(options: Parameters<typeof startFakeReplicate>[0] = {}) {
  fake = await startFakeReplicate(options);
  const client = new Replicate({ auth: fake.token, baseUrl: fake.baseUrl });
  return { fake, client };
}

async function waitUntil(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  fake?.assertNoUnexpectedRequests();
  await fake?.close();
  fake = undefined;
});

describe('fake Replicate driven by the real client', () => {
  it('creates a prediction that starts, processes and succeeds with a downloadable mp4', async () => {
    const clock = new JumpClock();
    const { fake, client } = await start({ clock, defaultDurationMs: 60_000 });
    const created = await client.predictions.create({ model, input: { prompt: 'a cat', duration: 5 } });
    expect(created).toMatchObject({ model, version: 'hidden', status: 'starting', output: null, error: null, data_removed: false });
    expect(created.id).toMatch(/^r8[a-z0-9]{26}$/);
    expect(fake.predictions[0]?.input).toEqual({ prompt: 'a cat', duration: 5 });

    clock.jump(10_000);
    expect((await client.predictions.get(created.id)).status).toBe('processing');
    clock.jump(50_000);
    const done = await client.predictions.get(created.id);
    expect(done.status).toBe('succeeded');
    expect(done.metrics?.predict_time).toBe(54);
    const video = await fetch(done.output as string);
    expect(video.status).toBe(200);
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(fake.requestCount('get')).toBe(2);
  });

  it('lists newest first across pages and cancels a running prediction', async () => {
    const { client } = await start({ pageSize: 2 });
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three']) ids.push((await client.predictions.create({ model, input: { prompt } })).id);
    const first = await client.predictions.list();
    expect(first.results.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const page of client.paginate(() => client.predictions.list())) all.push(...page.map((p) => p.id));
    expect(all).toEqual([...ids].reverse());

    const canceled = await client.predictions.cancel(ids[0] as string);
    expect(canceled.status).toBe('canceled');
    expect((await client.predictions.get(ids[0] as string)).status).toBe('canceled');
  });

  it('uploads a file and the model receives exactly its bytes as start_image', async () => {
    const { fake, client } = await start();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const file = await client.files.create(new File([png], 'first.png', { type: 'image/png' }), { jobId: 'j1' });
    expect(file).toMatchObject({ name: 'first.png', content_type: 'image/png', size: png.length, metadata: { jobId: 'j1' } });
    expect(file.urls.get).toBe(`${fake.baseUrl}/files/${file.id}`);
    expect((await client.files.get(file.id)).id).toBe(file.id);

    const viaUrl = await client.predictions.create({ model, input: { prompt: 'p', start_image: file.urls.get } });
    expect(fake.startImageBytes(viaUrl.id)).toEqual(png);
    const viaClientUpload = await client.predictions.create({ model, input: { prompt: 'p', start_image: png } });
    expect(fake.startImageBytes(viaClientUpload.id)).toEqual(png);
    const viaDataUri = await client.predictions.create({
      model,
      input: { prompt: 'p', start_image: `data:image/png;base64,${png.toString('base64')}` },
    });
    expect(fake.startImageBytes(viaDataUri.id)).toEqual(png);
  });

  it('an image URL the model cannot fetch fails the prediction like a real model run', async () => {
    const { fake, client } = await start({ defaultDurationMs: 50 });
    const created = await client.predictions.create({
      model,
      input: { prompt: 'p', start_image: `${fake.baseUrl.replace('/v1', '')}/files-out/nothing.mp4` },
    });
    await waitUntil(async () => (await client.predictions.get(created.id)).status === 'failed');
    expect((await client.predictions.get(created.id)).error).toMatch(/start_image.*404/);
  });

  it('refuses a wrong token with 401 problem details', async () => {
    const { fake } = await start();
    const wrong = new Replicate({ auth: 'nope', baseUrl: fake.baseUrl });
    const err = await wrong.predictions.create({ model, input: { prompt: 'x' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', response: { status: 401 } });
    expect((err as Error).message).toContain('You did not pass a valid authentication token');
    expect(fake.predictions).toHaveLength(0);
  });

  it('answers bad input with a Replicate-like 422 body', async () => {
    const { fake } = await start();
    const response = await fetch(`${fake.baseUrl}/models/${model}/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'x', duration: 7, cfg_scale: 2, seed: 1 } }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { title: string; detail: string; invalid_fields: { field: string }[] };
    expect(body.title).toBe('Input validation failed');
    expect(body.detail).toContain('- input.duration: duration must be one of the following: 5, 10\n');
    expect(body.invalid_fields.map((f) => f.field)).toEqual(['input.duration', 'input.cfg_scale', 'input.seed']);
    expect(fake.predictions).toHaveLength(0);
  });

  it('plays a scripted failure', async () => {
    const { fake, client } = await start({ defaultDurationMs: 40 });
    fake.script({ outcome: 'failed', error: 'NSFW content detected' });
    const created = await client.predictions.create({ model, input: { prompt: 'x' } });
    await waitUntil(async () => (await client.predictions.get(created.id)).status === 'failed');
    const failed = await client.predictions.get(created.id);
    expect(failed).toMatchObject({ error: 'NSFW content detected', output: null });
  });

  it('removes input and output an hour after the end', async () => {
    const clock = new JumpClock();
    const { client } = await start({ clock, defaultDurationMs: 1_000 });
    const created = await client.predictions.create({ model, input: { prompt: 'x' } });
    clock.jump(2_000);
    const done = await client.predictions.get(created.id);
    expect((await fetch(done.output as string)).status).toBe(200);
    clock.jump(3_600_000);
    const removed = await client.predictions.get(created.id);
    expect(removed).toMatchObject({ status: 'succeeded', data_removed: true, output: null, input: {} });
    expect((await fetch(done.output as string)).status).toBe(404);
  });

  it('injects 429 with retry-after, 5xx and resets, and records them', async () => {
    const { fake } = await start();
    fake.failNext({ route: 'get', status: 429, retryAfterSeconds: 3 });
    const url = `${fake.baseUrl}/predictions/none`;
    const headers = { authorization: `Bearer ${fake.token}` };
    const throttled = await fetch(url, { headers });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(await throttled.json()).toMatchObject({ title: 'Request was throttled', status: 429 });
    expect((await fetch(url, { headers })).status).toBe(404);

    fake.failNext({ route: 'list', reset: true });
    await expect(fetch(`${fake.baseUrl}/predictions`, { headers })).rejects.toThrow('fetch failed');
    expect(fake.requests.map((r) => [r.route, r.status])).toEqual([['get', 429], ['get', 404], ['list', 0]]);
  });

  it('an outage refuses connections, resets them or answers a status, until restored on the same address', async () => {
    const { fake, client } = await start();
    const created = await client.predictions.create({ model, input: { prompt: 'before' } });

    await fake.outage({ refused: true });
    const refused = await fetch(`${fake.baseUrl}/predictions/${created.id}`).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    await fake.restore();
    expect((await client.predictions.get(created.id)).id).toBe(created.id);

    await fake.outage({ reset: true, processed: true });
    await expect(fetch(`${fake.baseUrl}/models/${model}/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'made, then the answer lost' } }),
    })).rejects.toThrow('fetch failed');
    expect(fake.predictions.map((p) => p.input.prompt)).toEqual(['before', 'made, then the answer lost']);
    await fake.restore();

    await fake.outage({ status: 503 });
    expect((await fetch(`${fake.baseUrl}/predictions`, { headers: { authorization: `Bearer ${fake.token}` } })).status).toBe(503);
    const output = await fetch(`${fake.baseUrl.replace('/v1', '')}/files-out/${created.id}.mp4`);
    expect(output.status).toBe(503);
    await fake.restore();
    expect(fake.requests.map((r) => [r.route, r.status])).toEqual([
      ['create', 201], ['get', 200], ['create', 0], ['list', 503], ['output', 503],
    ]);
  });

  it('answers an injected 401, 402 or 404 the way Replicate words them', async () => {
    const { fake, client } = await start();
    fake.failNext({ route: 'create', status: 402 });
    const err = await client.predictions.create({ model, input: { prompt: 'x' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', response: { status: 402 } });
    expect((err as Error).message).toContain('insufficient credit');
    fake.failNext({ route: 'get', status: 404 });
    await expect(client.predictions.get('r8x')).rejects.toMatchObject({ response: { status: 404 } });
    expect(fake.predictions).toHaveLength(0);
  });

  it('the real client bursts six requests into a throttled GET (why the bot retries on its own)', async () => {
    const { fake, client } = await start();
    fake.failNext({ route: 'get', status: 429, times: 10 });
    await expect(client.predictions.get('x')).rejects.toMatchObject({ response: { status: 429 } });
    expect(fake.requestCount('get')).toBe(6);
  });

  it('flags requests it has no route for', async () => {
    const { fake: strict } = await start();
    const headers = { authorization: `Bearer ${strict.token}` };
    expect((await fetch(`${strict.baseUrl}/deployments`, { headers })).status).toBe(404);
    expect(() => strict.assertNoUnexpectedRequests()).toThrow('GET /v1/deployments');
    await strict.close();
    fake = undefined;
  });
});
