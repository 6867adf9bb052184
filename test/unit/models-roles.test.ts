import { describe, expect, it } from 'vitest';
import { rolesOf, supportedRoles, type ModelRoles } from '../../src/models/roles.js';
import type { ModelOverride } from '../../src/models/models-file.js';
import { readModelSchema, type ModelSchema } from '../../src/models/schema.js';
import { fixtureModelJson, fixtureSchemas, type FixtureModel } from './models-fixtures.js';

function schemaOf(model: FixtureModel, schemas?: Record<string, unknown>): ModelSchema {
  const result = readModelSchema(fixtureModelJson(model, schemas ? { schemas } : {}));
  if (!result.ok) throw new Error(result.reason);
  return result.schema;
}

function roles(model: FixtureModel, override?: ModelOverride): ModelRoles {
  const result = rolesOf(schemaOf(model), override);
  if (!result.ok) throw new Error(result.reason);
  return result.roles;
}

/** role → field name (and fps for a frames model): what an operator would read in the start-up summary. */
function mapping(r: ModelRoles): Record<string, string> {
  return Object.fromEntries(
    supportedRoles(r).map((role) => {
      const f = r.fields[role]!;
      return [role, f.frames ? `${f.field.name} @ ${f.frames.fps} fps (${f.frames.fpsField})` : f.field.name];
    }),
  );
}

describe('roles of a model', () => {
  it('maps kling-v1.6-standard’s fields to the options /video has today', () => {
    expect(mapping(roles('kwaivgi/kling-v1.6-standard'))).toEqual({
      prompt: 'prompt', negative_prompt: 'negative_prompt', first_frame: 'start_image', duration: 'duration',
      aspect_ratio: 'aspect_ratio', guidance: 'cfg_scale',
    });
  });

  it('finds first and last frames, resolution, audio and seed under each model’s own names', () => {
    expect(mapping(roles('google/veo-3-fast'))).toEqual({
      prompt: 'prompt', negative_prompt: 'negative_prompt', first_frame: 'image', duration: 'duration',
      aspect_ratio: 'aspect_ratio', resolution: 'resolution', audio: 'generate_audio', seed: 'seed',
    });
    expect(mapping(roles('bytedance/seedance-1-pro'))).toEqual({
      prompt: 'prompt', first_frame: 'image', last_frame: 'last_frame_image', duration: 'duration',
      aspect_ratio: 'aspect_ratio', resolution: 'resolution', seed: 'seed',
    });
  });

  it('reads a frames model’s length as num_frames at its default frames per second', () => {
    expect(mapping(roles('wan-video/wan-2.2-i2v-fast'))).toEqual({
      prompt: 'prompt', first_frame: 'image', last_frame: 'last_image', duration: 'num_frames @ 16 fps (frames_per_second)',
      resolution: 'resolution', seed: 'seed',
    });
  });

  it('takes mode as resolution only when its values are resolutions, or when the models file says so', () => {
    expect(roles('kwaivgi/kling-v2.1').fields.resolution).toBeUndefined();
    expect(roles('kwaivgi/kling-v2.1', { fields: { resolution: 'mode' } }).fields.resolution?.field.enum).toEqual(['standard', 'pro']);
    const schemas = fixtureSchemas('kwaivgi/kling-v2.1') as Record<string, { enum?: string[] }>;
    schemas.mode!.enum = ['720p', '1080p'];
    const result = rolesOf(schemaOf('kwaivgi/kling-v2.1', schemas));
    expect(result.ok && result.roles.fields.resolution?.field.name).toBe('mode');
  });

  it('never picks a deprecated field or a field of the wrong kind by its name', () => {
    const schemas = fixtureSchemas('google/veo-3-fast') as { Input: { properties: Record<string, Record<string, unknown>> } };
    schemas.Input.properties.image!.deprecated = true;
    schemas.Input.properties.generate_audio = { type: 'string', format: 'uri', title: 'Audio' };
    const result = rolesOf(schemaOf('google/veo-3-fast', schemas));
    expect(result.ok && supportedRoles(result.roles)).not.toContain('first_frame');
    expect(result.ok && supportedRoles(result.roles)).not.toContain('audio');
  });

  it('lets the models file drop a role and pin a field, which then leaves the options', () => {
    const veo = roles('google/veo-3-fast', { fields: { seed: null }, fixed: { generate_audio: false } });
    expect(supportedRoles(veo)).not.toContain('seed');
    expect(supportedRoles(veo)).not.toContain('audio');
    expect(veo.fixed).toEqual({ generate_audio: false });
  });

  it('uses a pinned frames per second for a frames model', () => {
    expect(roles('wan-video/wan-2.2-i2v-fast', { fixed: { frames_per_second: 24 } }).fields.duration?.frames?.fps).toBe(24);
  });

  it('explains a models file entry that does not fit the schema', () => {
    const kling = schemaOf('kwaivgi/kling-v1.6-standard');
    expect(rolesOf(kling, { fields: { seed: 'noise_seed' } })).toEqual({
      ok: false,
      reason: 'the models file maps seed of kwaivgi/kling-v1.6-standard to noise_seed, which its schema lacks',
    });
    expect(rolesOf(kling, { fields: { audio: 'cfg_scale' } })).toEqual({
      ok: false,
      reason: 'the models file maps audio of kwaivgi/kling-v1.6-standard to cfg_scale, a number field; audio needs a true/false field',
    });
    expect(rolesOf(kling, { fields: { seed: 'aspect_ratio' } })).toEqual({
      ok: false,
      reason: 'the models file maps seed of kwaivgi/kling-v1.6-standard to aspect_ratio, a text field; seed needs a whole-number field',
    });
    expect(rolesOf(kling, { fields: { negative_prompt: 'prompt' } })).toEqual({
      ok: false,
      reason: 'the models file maps two roles of kwaivgi/kling-v1.6-standard to prompt',
    });
    const schemas = fixtureSchemas('wan-video/wan-2.2-i2v-fast') as { Input: { properties: Record<string, unknown> } };
    delete schemas.Input.properties.frames_per_second;
    expect(rolesOf(schemaOf('wan-video/wan-2.2-i2v-fast', schemas), { fields: { duration: 'num_frames' } })).toEqual({
      ok: false,
      reason:
        'the models file maps duration of wan-video/wan-2.2-i2v-fast to num_frames, a frame count without a frames-per-second field to convert seconds at',
    });
    expect(rolesOf(kling, { fixed: { prompt_optimizer: false } })).toEqual({
      ok: false,
      reason: 'the models file fixes prompt_optimizer of kwaivgi/kling-v1.6-standard, which its schema lacks',
    });
    expect(rolesOf(kling, { fixed: { duration: 7 } })).toEqual({
      ok: false,
      reason: 'the models file fixes duration of kwaivgi/kling-v1.6-standard to 7; it takes 5, 10',
    });
  });

  it('refuses a model whose required input no option fills', () => {
    expect(rolesOf(schemaOf('kwaivgi/kling-v2.1'), { fields: { first_frame: null } })).toEqual({
      ok: false,
      reason: 'kwaivgi/kling-v2.1 requires start_image, which no /video option fills: map it to a role or fix its value in the models file',
    });
  });
});
