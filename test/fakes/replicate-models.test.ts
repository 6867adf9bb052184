import Replicate from 'replicate';
import { afterEach, describe, expect, it } from 'vitest';
import { JumpClock } from '../harness/test-clock.js';
import { startFakeReplicate, type FakeReplicate } from './replicate/fake-replicate.js';

const kling16 = 'kwaivgi/kling-v1.6-standard';
const kling21 = 'kwaivgi/kling-v2.1';
const veo = 'google/veo-3-fast';
const seedance = 'bytedance/seedance-1-pro';
const wan = 'wan-video/wan-2.2-i2v-fast';
const ltx = 'lightricks/ltx-video';
const png = 'data:image/png;base64,iVBORw0KGgo=';

let fake: FakeReplicate | undefined;

async function start(options: Parameters<typeof startFakeReplicate>[0] = {}) {
  fake = await startFakeReplicate(options);
  return { fake, client: new Replicate({ auth: fake.token, baseUrl: fake.baseUrl }) };
}

/** A raw create, so the test reads Replicate's whole error body rather than the client's message. */
async function post(path: string, body: unknown) {
  const f = fake as FakeReplicate;
  const response = await fetch(`${f.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const createOn = (model: string, input: Record<string, unknown>) => post(`/models/${model}/predictions`, { input });
const fieldsOf = (body: Record<string, unknown>) => (body.invalid_fields as { type: string; field: string }[]).map((f) => [f.type, f.field]);

afterEach(async () => {
  fake?.assertNoUnexpectedRequests();
  await fake?.close();
  fake = undefined;
});

describe('fake Replicate models: schemas as Replicate serves them', () => {
  it('serves each model with its latest version and Cog schema in the wire shape', async () => {
    const { client } = await start();
    for (const [ref, official] of [[kling16, true], [kling21, true], [veo, true], [seedance, true], [wan, true], [ltx, false]] as const) {
      const [owner, name] = ref.split('/') as [string, string];
      const model = await client.models.get(owner, name);
      expect(model).toMatchObject({ owner, name, is_official: official, visibility: 'public' });
      expect(model.latest_version?.id).toMatch(/^[0-9a-f]{64}$/);
      expect(model.latest_version?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const schema = model.latest_version?.openapi_schema as { openapi: string; components: { schemas: Record<string, unknown> } };
      expect(schema.openapi).toBe('3.0.2');
      expect(Object.keys(schema.components.schemas)).toEqual(expect.arrayContaining(['Input', 'Output', 'PredictionRequest', 'HTTPValidationError']));
      expect(JSON.stringify(model)).not.toContain('x-fixture');
    }
    const input = async (ref: string) => {
      const [owner, name] = ref.split('/') as [string, string];
      const schema = (await client.models.get(owner, name)).latest_version?.openapi_schema as { components: { schemas: { Input: { properties: Record<string, Record<string, unknown>> } } } };
      return schema.components.schemas.Input.properties;
    };
    const k16 = await input(kling16);
    expect(Object.keys(k16)).toEqual(['prompt', 'duration', 'cfg_scale', 'start_image', 'aspect_ratio', 'negative_prompt']);
    expect(k16.duration).toEqual({ allOf: [{ $ref: '#/components/schemas/duration' }], default: 5, 'x-order': 5, description: 'Duration of the video in seconds' });
    expect(Object.values(await input(kling21)).some((p) => 'x-order' in p)).toBe(false);
    const sd = await input(seedance);
    expect(Object.keys(sd).filter((k) => 'x-order' in (sd[k] ?? {}))).toEqual(['fps', 'resolution', 'aspect_ratio']);
    expect((await input(veo)).seed).toMatchObject({ type: 'integer', nullable: true });
    expect((await input(wan)).num_frames).toMatchObject({ minimum: 81, maximum: 121 });
  });

  it('answers an unknown model with Replicate\'s 404 body', async () => {
    const { client } = await start();
    const err = await client.models.get('kwaivgi', 'kling-v9').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', response: { status: 404 } });
    const raw = await fetch(`${fake!.baseUrl}/models/kwaivgi/kling-v9`, { headers: { authorization: `Bearer ${fake!.token}` } });
    expect(await raw.json()).toEqual({ detail: 'The requested resource could not be found.', status: 404 });
  });

  it('lists versions of a community model, newest first, and answers 404 for an official one', async () => {
    const { client } = await start();
    const first = fake!.models.latestVersionId(ltx);
    const second = fake!.models.renameField(ltx, 'cfg', 'guidance');
    const versions = await client.models.versions.list('lightricks', 'ltx-video');
    expect(versions.results.map((v) => v.id)).toEqual([second, first]);
    expect((await client.models.versions.get('lightricks', 'ltx-video', first)).id).toBe(first);
    await expect(client.models.versions.list('kwaivgi', 'kling-v2.1')).rejects.toMatchObject({ response: { status: 404 } });
  });
});

describe('fake Replicate models: creating the way each model needs', () => {
  it('creates an official model by owner/name with no version', async () => {
    const { client, fake } = await start();
    const created = await client.predictions.create({ model: veo, input: { prompt: 'a fox', duration: 6, generate_audio: false } });
    expect(created).toMatchObject({ model: veo, version: 'hidden', status: 'starting' });
    expect(fake.predictions[0]).toMatchObject({ model: veo, input: { prompt: 'a fox', duration: 6, generate_audio: false } });
    const byName = await post('/predictions', { version: seedance, input: { prompt: 'waves' } });
    expect(byName.status).toBe(201);
    expect(byName.body).toMatchObject({ model: seedance, version: 'hidden' });
  });

  it('creates a community model by its version id, and refuses it on the model route', async () => {
    const { client, fake } = await start();
    const version = fake.models.latestVersionId(ltx);
    const created = await client.predictions.create({ version, input: { prompt: 'a lighthouse at dusk', length: 129 } });
    expect(created).toMatchObject({ model: ltx, version, status: 'starting' });
    expect(fake.predictions[0]).toMatchObject({ model: ltx, version });

    const wrongRoute = await createOn(ltx, { prompt: 'x' });
    expect(wrongRoute).toEqual({ status: 422, body: invalidVersion });
    expect(fake.predictions).toHaveLength(1);
  });

  it('refuses an official model\'s version id, an unknown id and owner/name:latest with 422', async () => {
    await start();
    for (const version of [fake!.models.latestVersionId(kling16), 'f'.repeat(64), `${ltx}:latest`, `${kling21}:${fake!.models.latestVersionId(kling21)}`, ltx]) {
      expect(await post('/predictions', { version, input: { prompt: 'x' } })).toEqual({ status: 422, body: invalidVersion });
    }
    expect((await post('/predictions', { version: `${ltx}:${fake!.models.latestVersionId(ltx)}`, input: { prompt: 'x' } })).status).toBe(201);
    expect(fake!.predictions).toHaveLength(1);
  });

  it('answers a model-route create with owner/name:version in the path with 404', async () => {
    await start();
    const res = await createOn(`${kling16}:${fake!.models.latestVersionId(kling16)}`, { prompt: 'x' });
    expect(res).toEqual({ status: 404, body: { detail: 'The requested resource could not be found.', status: 404 } });
  });
});

const invalidVersion = {
  title: 'Invalid version or not permitted',
  detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  status: 422,
};

describe('fake Replicate models: input checked against the model\'s schema', () => {
  it('names a wrong enum value, a wrong type, a value out of bounds and a missing required field', async () => {
    await start();
    const enumBad = await createOn(veo, { prompt: 'x', duration: 5, aspect_ratio: '1:1' });
    expect(enumBad.status).toBe(422);
    expect(enumBad.body).toMatchObject({ title: 'Input validation failed', status: 422 });
    expect(enumBad.body.detail).toBe('- input.duration: duration must be one of the following: 4, 6, 8\n- input.aspect_ratio: aspect_ratio must be one of the following: "16:9", "9:16"\n');
    expect(fieldsOf(enumBad.body)).toEqual([['enum', 'input.duration'], ['enum', 'input.aspect_ratio']]);

    const typeBad = await createOn(wan, { prompt: 'x', image: png, num_frames: '81', go_fast: 'yes', sample_shift: 0.5 });
    expect(fieldsOf(typeBad.body)).toEqual([['invalid_type', 'input.num_frames'], ['invalid_type', 'input.go_fast'], ['number_gte', 'input.sample_shift']]);
    expect(typeBad.body.detail).toContain('- input.num_frames: Invalid type. Expected: integer, given: string\n');

    const bounds = await createOn(seedance, { prompt: 'x', duration: 13, fps: 30 });
    expect(fieldsOf(bounds.body)).toEqual([['number_lte', 'input.duration'], ['enum', 'input.fps']]);
    expect(bounds.body.detail).toContain('- input.duration: Must be less than or equal to 12\n');

    const missing = await createOn(kling21, { prompt: 'x', mode: 'pro' });
    expect(missing.body).toMatchObject({ detail: '- input: start_image is required\n', invalid_fields: [{ type: 'required', field: 'input', description: 'start_image is required' }] });

    const badUri = await createOn(kling21, { prompt: 'x', start_image: 'not a url' });
    expect(fieldsOf(badUri.body)).toEqual([['format', 'input.start_image']]);
    expect(fake!.predictions).toHaveLength(0);
  });

  it('takes null only for a nullable field', async () => {
    await start();
    expect((await createOn(veo, { prompt: 'x', seed: null, negative_prompt: null })).status).toBe(201);
    const notNullable = await createOn(kling16, { prompt: 'x', negative_prompt: null });
    expect(fieldsOf(notNullable.body)).toEqual([['invalid_type', 'input.negative_prompt']]);
  });

  it('answers an unknown field per model: refused in the API body, refused by a coglet build, or ignored', async () => {
    await start();
    const refused = await createOn(kling16, { prompt: 'x', seed: 3 });
    expect(fieldsOf(refused.body)).toEqual([['additional_property_not_allowed', 'input.seed']]);

    const coglet = await createOn(kling21, { prompt: 'x', start_image: png, cfg_scale: 0.5, seed: 1 });
    expect(coglet).toEqual({
      status: 422,
      body: { detail: [
        { loc: ['body', 'input', 'cfg_scale'], msg: "Unexpected field 'cfg_scale'", type: 'value_error.extra' },
        { loc: ['body', 'input', 'seed'], msg: "Unexpected field 'seed'", type: 'value_error.extra' },
      ] },
    });

    const ignored = await createOn(veo, { prompt: 'x', enhance_prompt: true });
    expect(ignored.status).toBe(201);
    expect(fake!.predictions[0]).toMatchObject({ input: { prompt: 'x', enhance_prompt: true }, ignoredFields: ['enhance_prompt'] });

    fake!.models.setUnknownFields(veo, 'reject');
    expect(fieldsOf((await createOn(veo, { prompt: 'x', enhance_prompt: true })).body)).toEqual([['additional_property_not_allowed', 'input.enhance_prompt']]);
  });

  it('reads the other enum shapes seen in public schemas: a bare $ref, anyOf with null, and uri array items', async () => {
    await start();
    fake!.models.add({
      owner: 'someone', name: 'shapes', isOfficial: true,
      schemas: {
        Input: { type: 'object', title: 'Input', properties: {
          ratio: { $ref: '#/components/schemas/ratio', default: '1:1' },
          mode: { anyOf: [{ $ref: '#/components/schemas/mode' }, { type: 'null' }], default: null },
          reference_images: { type: 'array', items: { type: 'string', anyOf: [], format: 'uri' }, default: [] },
        } },
        ratio: { enum: ['1:1', '16:9'], type: 'string', title: 'ratio', description: 'An enumeration.' },
        mode: { enum: ['fast', 'slow'], type: 'string', title: 'mode', description: 'An enumeration.' },
      },
    });
    expect((await createOn('someone/shapes', { ratio: '16:9', mode: null, reference_images: [png] })).status).toBe(201);
    const bad = await createOn('someone/shapes', { ratio: '4:3', mode: 'medium', reference_images: [png, 'nope', 3] });
    expect(fieldsOf(bad.body)).toEqual([
      ['enum', 'input.ratio'], ['enum', 'input.mode'], ['format', 'input.reference_images.1'], ['invalid_type', 'input.reference_images.2'],
    ]);
  });

  it('gives the model its start frame from whichever uri field its schema has', async () => {
    await start();
    const res = await createOn(wan, { prompt: 'x', image: png, last_image: png });
    expect(res.status).toBe(201);
    const id = fake!.predictions[0]!.id;
    expect(fake!.startImageBytes(id)).toEqual(Buffer.from('iVBORw0KGgo=', 'base64'));
    expect(fake!.inputFileBytes(id, 'last_image')).toEqual(Buffer.from('iVBORw0KGgo=', 'base64'));
  });
});

describe('fake Replicate models: changed while the bot runs', () => {
  it('a renamed field publishes a new latest version and the old name is then refused', async () => {
    const clock = new JumpClock();
    const { client } = await start({ clock });
    const before = await client.models.get('kwaivgi', 'kling-v1.6-standard');
    clock.jump(60_000);
    const id = fake!.models.renameField(kling16, 'duration', 'seconds');
    const after = await client.models.get('kwaivgi', 'kling-v1.6-standard');
    expect(after.latest_version?.id).toBe(id);
    expect(id).not.toBe(before.latest_version?.id);
    expect(Math.abs(Date.parse(after.latest_version!.created_at) - clock.now())).toBeLessThan(5_000);
    const input = (after.latest_version?.openapi_schema as { components: { schemas: { Input: { properties: Record<string, unknown> } } } }).components.schemas.Input;
    expect(Object.keys(input.properties)).toContain('seconds');
    expect(Object.keys(input.properties)).not.toContain('duration');

    expect(fieldsOf((await createOn(kling16, { prompt: 'x', duration: 5 })).body)).toEqual([['additional_property_not_allowed', 'input.duration']]);
    expect((await createOn(kling16, { prompt: 'x', seconds: 10 })).status).toBe(201);
  });

  it('setSchema and editSchema change bounds, enums and required fields; a community model\'s old version still runs', async () => {
    await start();
    const old = fake!.models.latestVersionId(ltx);
    fake!.models.editSchema(ltx, (schemas) => {
      (schemas.length as { enum: number[] }).enum = [97, 129];
      (schemas.Input as { required?: string[] }).required = ['prompt', 'image'];
    });
    const latest = fake!.models.latestVersionId(ltx);
    expect(fieldsOf((await post('/predictions', { version: latest, input: { prompt: 'x', length: 257 } })).body))
      .toEqual([['required', 'input'], ['enum', 'input.length']]);
    expect((await post('/predictions', { version: old, input: { prompt: 'x', length: 257 } })).status).toBe(201);

    const schemas = fake!.models.schemas(seedance);
    (schemas.Input as { properties: Record<string, { minimum?: number }> }).properties.duration!.minimum = 3;
    fake!.models.setSchema(seedance, schemas);
    expect(fieldsOf((await createOn(seedance, { prompt: 'x', duration: 2 })).body)).toEqual([['number_gte', 'input.duration']]);
  });

  it('model reads fail with a status or a reset until restored; creates still work', async () => {
    const { client } = await start();
    fake!.models.failReads({ status: 503 });
    await expect(client.models.get('google', 'veo-3-fast')).rejects.toMatchObject({ response: { status: 503 } });
    expect((await createOn(veo, { prompt: 'x' })).status).toBe(201);
    fake!.models.failReads({ reset: true });
    await expect(fetch(`${fake!.baseUrl}/models/${veo}`, { headers: { authorization: `Bearer ${fake!.token}` } })).rejects.toThrow('fetch failed');
    fake!.models.failReads(null);
    expect((await client.models.get('google', 'veo-3-fast')).name).toBe('veo-3-fast');
    expect(fake!.requests.filter((r) => r.route === 'model-get').map((r) => r.status)).toEqual([503, 503, 503, 503, 503, 503, 0, 200]);
  });

  it('a removed model answers 404 to reads and creates; an added one is served', async () => {
    const { client } = await start();
    fake!.models.remove(wan);
    await expect(client.models.get('wan-video', 'wan-2.2-i2v-fast')).rejects.toMatchObject({ response: { status: 404 } });
    expect((await createOn(wan, { prompt: 'x', image: png })).status).toBe(404);
    const version = fake!.models.add({
      owner: 'someone', name: 'tiny-video', isOfficial: false,
      schemas: { Input: { type: 'object', title: 'Input', required: ['prompt'], properties: { prompt: { type: 'string', title: 'Prompt', 'x-order': 0 } } }, Output: { type: 'string', format: 'uri' } },
    });
    expect((await client.models.get('someone', 'tiny-video')).latest_version?.id).toBe(version);
    expect((await client.predictions.create({ version, input: { prompt: 'hi' } })).model).toBe('someone/tiny-video');
  });
});
