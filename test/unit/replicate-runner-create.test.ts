import { describe, expect, it } from 'vitest';
import type { JobFailure } from '../../src/queue/ports.js';
import { waitUntil } from '../harness/bot-process.js';
import { JumpClock } from '../harness/test-clock.js';
import { makeJob } from '../fakes/replicate/runner-fixture.js';
import { useRunnerFixture } from '../harness/use-runner-fixture.js';

const fixture = useRunnerFixture();

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');

describe('prediction runner: create', () => {
  it('sends the mapped input and returns the new prediction', async () => {
    const { fake, runner, logText } = await fixture();
    const job = makeJob({ prompt: 'a secret prompt', duration: 10, aspectRatio: '1:1' });
    const snapshot = await runner.create(job, undefined);
    expect(snapshot).toMatchObject({ status: 'starting' });
    expect(fake.predictions.map((p) => p.input)).toEqual([{ prompt: 'a secret prompt', duration: 10, aspect_ratio: '1:1' }]);
    expect(fake.predictions[0]?.id).toBe(snapshot.id);
    expect(logText()).not.toContain('a secret prompt');
    expect(logText()).not.toContain(fake.token);
  });

  it("the member's image reaches the model byte for byte", async () => {
    const { fake, runner } = await fixture();
    const job = makeJob({ prompt: 'p' });
    const snapshot = await runner.create(job, { bytes: png, mimeType: 'image/png', filename: 'cat.png' });
    expect(fake.startImageBytes(snapshot.id)).toEqual(png);
    expect(fake.requestCount('files')).toBe(1);
  });

  it('a 429 waits for Retry-After and then creates exactly one prediction', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 429, retryAfterSeconds: 1 });
    await runner.create(makeJob({ prompt: 'p' }), undefined);
    const creates = fake.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect((creates[1]?.time ?? 0) - (creates[0]?.time ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(fake.predictions).toHaveLength(1);
    expect(fake.requestCount('list')).toBe(0);
  });

  it('two 500s then success: the list is checked before each retry and one prediction exists', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 500, times: 2 });
    await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requests.filter((r) => r.route === 'create').map((r) => r.status)).toEqual([500, 500, 201]);
    expect(fake.requestCount('list')).toBe(2);
    expect(fake.predictions).toHaveLength(1);
  });

  it('a reset before Replicate saw the create is retried once, safely', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', reset: true });
    await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requestCount('create')).toBe(2);
    expect(fake.predictions).toHaveLength(1);
  });

  it('a reset after Replicate made the prediction adopts it instead of creating a second', async () => {
    const { fake, runner, logText } = await fixture();
    fake.failNext({ route: 'create', reset: true, processed: true });
    const snapshot = await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requestCount('create')).toBe(1);
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
    expect(logText()).toContain('prediction adopted after an ambiguous create');
  });

  it('a 502 on an image job whose prediction was made adopts it by the upload metadata', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 502, processed: true });
    const image = { filename: 'a.png', contentType: 'image/png', size: png.length, url: 'https://cdn.example/a.png', stored: true };
    const job = makeJob({ prompt: 'p' }, { image });
    const snapshot = await runner.create(job, { bytes: png, mimeType: 'image/png', filename: 'a.png' });
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
    expect(fake.requestCount('file-get')).toBe(1);
  });

  it("another job's prediction with the same prompt and an image is not adopted", async () => {
    const { runner } = await fixture();
    const image = { filename: 'a.png', contentType: 'image/png', size: png.length, url: 'https://cdn.example/a.png', stored: true };
    const start = { bytes: png, mimeType: 'image/png', filename: 'a.png' };
    const other = await runner.create(makeJob({ prompt: 'same' }, { image }), start);
    const job = makeJob({ prompt: 'same' }, { image });
    expect(await runner.findCreated(job)).toBeUndefined();
    const mine = await runner.create(job, start);
    expect((await runner.findCreated(job))?.id).toBe(mine.id);
    expect(mine.id).not.toBe(other.id);
  });

  it('a create refused with 503 a dozen times in a row keeps trying and makes exactly one prediction', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 503, times: 12 });
    const snapshot = await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requestCount('create')).toBe(13);
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
  });

  it('a prediction made by the fifth ambiguous attempt is found, not lost to a give-up', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 503, times: 4 });
    fake.failNext({ route: 'create', status: 500, processed: true });
    const snapshot = await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requestCount('create')).toBe(5);
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
  });

  it('a 429 after an ambiguous failure does not clear it: the prediction is looked for before every later create', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 502 });
    fake.failNext({ route: 'create', status: 429, retryAfterSeconds: 1 });
    await runner.create(makeJob({ prompt: 'p' }), undefined);
    const wire = fake.requests.map((r) => `${r.route} ${r.status}`);
    expect(wire).toEqual(['create 502', 'list 200', 'create 429', 'list 200', 'create 201']);
    expect(fake.predictions).toHaveLength(1);
  });

  it('a create accepted but answered by a reset, while the list is throttled for minutes, is still adopted', async () => {
    const clock = new JumpClock();
    const { fake, runner, logs } = await fixture({ clock });
    fake.failNext({ route: 'create', reset: true, processed: true });
    fake.failNext({ route: 'list', status: 429, retryAfterSeconds: 600 });
    const creating = runner.create(makeJob({ prompt: 'p' }, { createStartedAt: clock.now(), createdAt: clock.now() }), undefined);
    await waitUntil(() => logs().some((l) => l.msg === 'looking for the created prediction failed, retrying'));
    expect(logs().find((l) => l.msg === 'looking for the created prediction failed, retrying')?.delayMs).toBe(600_000);
    clock.jump(600_000);
    const snapshot = await creating;
    expect(fake.requestCount('create')).toBe(1);
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
  });

  it('Replicate unreachable for many tries, after a create it may have accepted, creates nothing twice', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', reset: true });
    fake.failNext({ route: 'list', reset: true, times: 8 });
    fake.failNext({ route: 'create', status: 503, times: 3 });
    const snapshot = await runner.create(makeJob({ prompt: 'p' }), undefined);
    // Every create after the first went out only after a list that answered: never blindly.
    const wire = fake.requests.map((r) => `${r.route} ${r.status}`);
    for (let i = 1; i < wire.length; i++) if (wire[i]!.startsWith('create')) expect(wire[i - 1]).toBe('list 200');
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
  });

  it('input Replicate refuses (422) fails at once with the validation detail', async () => {
    const { fake, runner } = await fixture();
    const err = await runner.create(makeJob({ prompt: 'p', duration: 7 as 5 }), undefined).catch((e: unknown) => e);
    expect((err as JobFailure).reason).toBe('Replicate did not accept the video settings: duration must be one of the following: 5, 10.');
    expect(fake.requestCount('create')).toBe(1);
  });

  it('a refused token or missing credit keeps the job trying slowly, with an error line for the operator', async () => {
    const { fake, runner, logs, logText } = await fixture();
    fake.failNext({ route: 'create', status: 401 });
    fake.failNext({ route: 'create', status: 402 });
    const snapshot = await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.requests.filter((r) => r.route === 'create').map((r) => r.status)).toEqual([401, 402, 201]);
    expect(fake.predictions.map((p) => p.id)).toEqual([snapshot.id]);
    const refused = logs().filter((l) => /^prediction create refused: /.test(String(l.msg)));
    expect(refused.map((l) => [l.level, l.status, l.delayMs])).toEqual([[50, 401, 10], [50, 402, 10]]);
    expect(String(refused[0]!.fix)).toContain('REPLICATE_API_TOKEN');
    // A refusal says nothing was made: no list is read for it.
    expect(fake.requestCount('list')).toBe(0);
    expect(logText()).not.toContain(fake.token);
  });

  it('a token Replicate never accepts keeps trying until the job is stopped, and never leaks', async () => {
    const { fake, runner, logText } = await fixture({ clientToken: 'r8_revoked' });
    const controller = new AbortController();
    const creating = runner.create(makeJob({ prompt: 'p' }), undefined, controller.signal);
    await waitUntil(() => fake.requestCount('create') >= 3);
    controller.abort(new Error('queue stopping'));
    await expect(creating).rejects.toThrow('queue stopping');
    expect(fake.predictions).toHaveLength(0);
    expect(logText()).not.toContain('r8_revoked');
  });

  it('findCreated keeps looking through an outage instead of reporting nothing was made', async () => {
    const { fake, runner } = await fixture();
    const job = makeJob({ prompt: 'a slow ferry' });
    const mine = await runner.create(job, undefined);
    fake.failNext({ route: 'list', status: 503, times: 6 });
    fake.failNext({ route: 'list', reset: true, times: 6 });
    expect((await runner.findCreated(job))?.id).toBe(mine.id);
    expect(fake.requestCount('list')).toBe(13);
  });

  it('findCreated finds the job of an earlier process and ignores other requests', async () => {
    const { fake, runner } = await fixture();
    const job = makeJob({ prompt: 'same', duration: 10 });
    const first = await runner.create(job, undefined);
    await runner.create(makeJob({ prompt: 'same' }), undefined);
    await runner.create(makeJob({ prompt: 'other', duration: 10 }), undefined);
    expect((await runner.findCreated(job))?.id).toBe(first.id);
    expect(await runner.findCreated(makeJob({ prompt: 'never sent' }))).toBeUndefined();
    expect(await runner.findCreated({ ...job, createStartedAt: Date.now() + 120_000 })).toBeUndefined();
    expect(fake.predictions).toHaveLength(3);
  });

  it('findCreated reads each recent prediction when the list leaves inputs out', async () => {
    const { fake, runner } = await fixture({ fake: { listWithoutInput: true } });
    const job = makeJob({ prompt: 'a lone tree', duration: 10 });
    const mine = await runner.create(job, undefined);
    await runner.create(makeJob({ prompt: 'another tree' }), undefined);
    expect((await runner.findCreated(job))?.id).toBe(mine.id);
    expect(fake.requestCount('get')).toBe(2);
  });

  it('aborting a create rejects with the reason', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 429, retryAfterSeconds: 30 });
    const controller = new AbortController();
    const result = runner.create(makeJob({ prompt: 'p' }), undefined, controller.signal);
    while (fake.requestCount('create') === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('canceled by member'));
    await expect(result).rejects.toThrow('canceled by member');
  });
});
