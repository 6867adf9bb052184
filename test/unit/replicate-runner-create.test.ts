import { describe, expect, it } from 'vitest';
import { JobFailure } from '../../src/queue/ports.js';
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

  it('a create failing five times gives up with plain words', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 503, times: 5 });
    const err = await runner.create(makeJob({ prompt: 'p' }), undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    expect((err as JobFailure).reason).toBe('Replicate could not start the video (Replicate error 503). Please try again later.');
    expect(fake.requestCount('create')).toBe(5);
    expect(fake.predictions).toHaveLength(0);
  });

  it('input Replicate refuses (422) fails at once with the validation detail', async () => {
    const { fake, runner } = await fixture();
    const err = await runner.create(makeJob({ prompt: 'p', duration: 7 as 5 }), undefined).catch((e: unknown) => e);
    expect((err as JobFailure).reason).toBe('Replicate did not accept the video settings: duration must be one of the following: 5, 10.');
    expect(fake.requestCount('create')).toBe(1);
  });

  it('a refused token fails at once and says who can fix it', async () => {
    const { fake, runner, logText } = await fixture({ clientToken: 'r8_revoked' });
    const err = await runner.create(makeJob({ prompt: 'p' }), undefined).catch((e: unknown) => e);
    expect(logText()).toContain('prediction create gave up');
    expect(logText()).not.toContain('r8_revoked');
    expect((err as JobFailure).reason).toBe(
      "Replicate could not start the video (the bot's Replicate token was refused). Please tell the bot operator.",
    );
    expect(fake.requestCount('create')).toBe(1);
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
