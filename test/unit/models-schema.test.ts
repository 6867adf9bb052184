import { describe, expect, it } from 'vitest';
import { readModelSchema, type ModelSchema } from '../../src/models/schema.js';
import { fixtureModelJson, fixtureSchemas, type FixtureModel } from './models-fixtures.js';

function read(model: FixtureModel, options?: Parameters<typeof fixtureModelJson>[1]): ModelSchema {
  const result = readModelSchema(fixtureModelJson(model, options));
  if (!result.ok) throw new Error(result.reason);
  return result.schema;
}

const names = (schema: ModelSchema) => schema.fields.map((f) => f.name);

describe('reading a model schema', () => {
  it('sorts fields by x-order, not by the key order of the wire', () => {
    expect(names(read('kwaivgi/kling-v1.6-standard'))).toEqual([
      'prompt', 'negative_prompt', 'aspect_ratio', 'start_image', 'cfg_scale', 'duration',
    ]);
  });

  it('puts fields without x-order after the others, by name (only the enums carry it)', () => {
    expect(names(read('bytedance/seedance-1-pro'))).toEqual([
      'resolution', 'aspect_ratio', 'fps', 'camera_fixed', 'duration', 'image', 'last_frame_image', 'prompt', 'seed',
    ]);
  });

  it('sorts by name when no field has x-order', () => {
    expect(names(read('kwaivgi/kling-v2.1'))).toEqual(['duration', 'end_image', 'mode', 'negative_prompt', 'prompt', 'start_image']);
  });

  it('resolves allOf/$ref enums and keeps the property’s own default and x-order', () => {
    const veo = read('google/veo-3-fast');
    expect(veo.fields.find((f) => f.name === 'duration')).toMatchObject({ type: 'integer', enum: [4, 6, 8], default: 8, order: 2 });
    expect(veo.fields.find((f) => f.name === 'aspect_ratio')).toMatchObject({ type: 'string', enum: ['16:9', '9:16'], default: '16:9' });
    expect(veo.fields.find((f) => f.name === 'duration')?.description).toBe('Video duration in seconds');
  });

  it('keeps minimum, maximum, default, nullable and the file format', () => {
    const wan = read('wan-video/wan-2.2-i2v-fast');
    expect(wan.fields.find((f) => f.name === 'num_frames')).toMatchObject({ type: 'integer', default: 81, minimum: 81, maximum: 121, nullable: false });
    expect(wan.fields.find((f) => f.name === 'seed')).toMatchObject({ type: 'integer', nullable: true });
    expect(wan.fields.find((f) => f.name === 'image')).toMatchObject({ type: 'string', isFile: true });
    expect(wan.fields.find((f) => f.name === 'prompt')).toMatchObject({ isFile: false });
  });

  it('reads the required fields, the version and whether the model is official', () => {
    const kling = read('kwaivgi/kling-v2.1', { official: false, versionId: 'd'.repeat(64) });
    expect(kling).toMatchObject({ model: 'kwaivgi/kling-v2.1', official: false, versionId: 'd'.repeat(64), required: ['prompt', 'start_image'] });
    expect(read('google/veo-3-fast').official).toBe(true);
  });

  it('reads a bare $ref and a nullable anyOf [$ref, null]', () => {
    const schemas = fixtureSchemas('google/veo-3-fast') as { Input: { properties: Record<string, unknown> } };
    schemas.Input.properties.resolution = { $ref: '#/components/schemas/resolution', 'x-order': 5 };
    schemas.Input.properties.aspect_ratio = { anyOf: [{ $ref: '#/components/schemas/aspect_ratio' }, { type: 'null' }], 'x-order': 1 };
    const veo = read('google/veo-3-fast', { schemas });
    expect(veo.fields.find((f) => f.name === 'resolution')).toMatchObject({ type: 'string', enum: ['720p', '1080p'], nullable: false });
    expect(veo.fields.find((f) => f.name === 'aspect_ratio')).toMatchObject({ enum: ['16:9', '9:16'], nullable: true, order: 1 });
  });

  it('treats a missing required list as nothing required', () => {
    const schemas = fixtureSchemas('google/veo-3-fast') as { Input: Record<string, unknown> };
    delete schemas.Input.required;
    expect(read('google/veo-3-fast', { schemas }).required).toEqual([]);
  });

  it('explains why a model cannot be used: no version, no schema, no Input, a reference it cannot follow', () => {
    const veo = fixtureModelJson('google/veo-3-fast');
    expect(readModelSchema({ ...veo, latest_version: null })).toEqual({ ok: false, reason: 'google/veo-3-fast has no published version' });
    const noSchema = { ...veo, latest_version: { id: 'v1', openapi_schema: null } };
    expect(readModelSchema(noSchema)).toEqual({ ok: false, reason: 'google/veo-3-fast publishes no input schema' });
    const schemas = fixtureSchemas('google/veo-3-fast');
    delete schemas.duration;
    expect(readModelSchema(fixtureModelJson('google/veo-3-fast', { schemas }))).toEqual({
      ok: false,
      reason: 'google/veo-3-fast: the input field duration refers to #/components/schemas/duration, which the schema lacks',
    });
    expect(readModelSchema('not json')).toEqual({ ok: false, reason: 'the model answer is not a model' });
  });
});
