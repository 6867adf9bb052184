import { describe, expect, it } from 'vitest';
import type { VideoRequest } from '../../src/queue/job.js';
import { toModelInput as klingInputToday } from '../../src/replicate/input.js';
import type { ModelOverride } from '../../src/models/models-file.js';
import { renderModelRefusal } from '../../src/models/refusals.js';
import { rolesOf, type ModelRoles } from '../../src/models/roles.js';
import { readModelSchema } from '../../src/models/schema.js';
import { toModelInput, valuesFor, type RoleRequest } from '../../src/models/to-input.js';
import { fixtureModelJson, type FixtureModel } from './models-fixtures.js';

function model(name: FixtureModel, override?: ModelOverride): ModelRoles {
  const schema = readModelSchema(fixtureModelJson(name));
  if (!schema.ok) throw new Error(schema.reason);
  const roles = rolesOf(schema.schema, override);
  if (!roles.ok) throw new Error(roles.reason);
  return roles.roles;
}

const kling = model('kwaivgi/kling-v1.6-standard');
const image = 'https://api.replicate.com/v1/files/abc';

describe('the default model sends what it sends today', () => {
  const requests: [VideoRequest, string?][] = [
    [{ prompt: 'a red fox' }],
    [{ prompt: 'p', negativePrompt: 'blur', aspectRatio: '9:16', duration: 10, cfgScale: 0 }, image],
    [{ prompt: 'p', duration: 5 }],
    [{ prompt: 'p', aspectRatio: '1:1', cfgScale: 1 }, image],
    [{ prompt: 'p', negativePrompt: 'rain', duration: 5, cfgScale: 0.25 }],
  ];
  it.each(requests)('kling-v1.6-standard by roles matches src/replicate/input.ts, byte for byte: %j', (request, startImage) => {
    const byRoles: RoleRequest = {
      prompt: request.prompt,
      ...(request.negativePrompt !== undefined ? { negative_prompt: request.negativePrompt } : {}),
      ...(request.aspectRatio !== undefined ? { aspect_ratio: request.aspectRatio } : {}),
      ...(request.duration !== undefined ? { duration: request.duration } : {}),
      ...(request.cfgScale !== undefined ? { guidance: request.cfgScale } : {}),
      ...(startImage !== undefined ? { first_frame: startImage } : {}),
    };
    const result = toModelInput(byRoles, kling);
    expect(result.ok && JSON.stringify(result.input)).toBe(JSON.stringify(klingInputToday(request, startImage)));
  });
});

describe('a request by roles for any model', () => {
  it('sends the model’s own field names, only the fields it declares, and its fixed inputs', () => {
    const veo = model('google/veo-3-fast', { fixed: { generate_audio: false } });
    expect(toModelInput({ prompt: 'p', first_frame: image, duration: 6, resolution: '1080p', seed: 7 }, veo)).toEqual({
      ok: true,
      input: { prompt: 'p', duration: 6, image, resolution: '1080p', generate_audio: false, seed: 7 },
      seconds: 6,
    });
  });

  it('converts seconds to frames at the model’s fps for a frames model, clamped into its range', () => {
    const wan = model('wan-video/wan-2.2-i2v-fast');
    const frames = (duration: number) => {
      const result = toModelInput({ prompt: 'p', first_frame: image, duration }, wan);
      return result.ok ? [result.input.num_frames, result.input.frames_per_second, result.seconds] : result.refusal;
    };
    expect(frames(6)).toEqual([96, 16, 6]);
    expect(frames(5)).toEqual([81, 16, 81 / 16]);
    expect(frames(8)).toEqual([121, 16, 121 / 16]);
    expect(frames(4)).toEqual({ code: 'value-out-of-range', params: { role: 'duration', model: 'wan-video/wan-2.2-i2v-fast', min: 5, max: 8 } });
  });

  it('counts the model’s default length when the member sets none', () => {
    expect(toModelInput({ prompt: 'p' }, kling)).toMatchObject({ seconds: 5 });
    expect(toModelInput({ prompt: 'p' }, model('google/veo-3-fast'))).toMatchObject({ seconds: 8 });
    expect(toModelInput({ prompt: 'p', first_frame: image }, model('wan-video/wan-2.2-i2v-fast'))).toMatchObject({ seconds: 81 / 16 });
    expect(toModelInput({ prompt: 'p' }, model('google/veo-3-fast', { fixed: { duration: 4 } }))).toMatchObject({ seconds: 4 });
  });

  it('refuses a role the model does not take, naming what it takes', () => {
    const result = toModelInput({ prompt: 'p', last_frame: image }, kling);
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'role-not-supported',
        params: {
          role: 'last_frame',
          model: 'kwaivgi/kling-v1.6-standard',
          supported: ['prompt', 'negative_prompt', 'first_frame', 'duration', 'aspect_ratio', 'guidance'],
        },
      },
    });
    expect(!result.ok && renderModelRefusal(result.refusal)).toBe(
      'kwaivgi/kling-v1.6-standard does not take a last frame image. It takes: prompt, negative prompt, first frame image, length, aspect ratio, guidance.',
    );
  });

  it('refuses a value outside the schema’s enum or range, naming what is allowed', () => {
    const seven = toModelInput({ prompt: 'p', duration: 7 }, kling);
    expect(!seven.ok && seven.refusal).toEqual({
      code: 'value-not-allowed',
      params: { role: 'duration', model: 'kwaivgi/kling-v1.6-standard', allowed: [5, 10] },
    });
    expect(!seven.ok && renderModelRefusal(seven.refusal)).toBe('kwaivgi/kling-v1.6-standard takes a length of 5 or 10 seconds.');
    const ratio = toModelInput({ prompt: 'p', aspect_ratio: '4:3' }, model('google/veo-3-fast'));
    expect(!ratio.ok && renderModelRefusal(ratio.refusal)).toBe('google/veo-3-fast takes an aspect ratio of 16:9 or 9:16.');
    const guidance = toModelInput({ prompt: 'p', guidance: 2 }, kling);
    expect(!guidance.ok && guidance.refusal).toEqual({
      code: 'value-out-of-range',
      params: { role: 'guidance', model: 'kwaivgi/kling-v1.6-standard', min: 0, max: 1 },
    });
    expect(!guidance.ok && renderModelRefusal(guidance.refusal)).toBe('kwaivgi/kling-v1.6-standard takes a guidance from 0 to 1.');
    const seconds = toModelInput({ prompt: 'p', duration: 13 }, model('bytedance/seedance-1-pro'));
    expect(!seconds.ok && renderModelRefusal(seconds.refusal)).toBe('bytedance/seedance-1-pro takes a length from 2 to 12 seconds.');
  });

  it('refuses a request without an input the model requires, such as a first frame', () => {
    const result = toModelInput({ prompt: 'p' }, model('kwaivgi/kling-v2.1'));
    expect(!result.ok && result.refusal).toEqual({ code: 'input-required', params: { role: 'first_frame', model: 'kwaivgi/kling-v2.1' } });
    expect(!result.ok && renderModelRefusal(result.refusal)).toBe('kwaivgi/kling-v2.1 needs a first frame image: add one and try again.');
  });

  it('converts Discord’s text values to the schema’s types (Cog does not coerce)', () => {
    const result = toModelInput({ prompt: 'p', duration: 10, seed: 3 }, model('bytedance/seedance-1-pro'));
    expect(result.ok && result.input).toEqual({ duration: 10, prompt: 'p', seed: 3 });
    const wrong = toModelInput({ prompt: 'p', duration: 2.5 }, kling);
    expect(!wrong.ok && wrong.refusal.code).toBe('value-not-allowed');
  });
});

describe('values a model accepts, for autocomplete', () => {
  it('lists durations in seconds, aspect ratios and resolutions from the schema', () => {
    expect(valuesFor('duration', kling)).toEqual([5, 10]);
    expect(valuesFor('duration', model('bytedance/seedance-1-pro'))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(valuesFor('duration', model('wan-video/wan-2.2-i2v-fast'))).toEqual([5, 6, 7, 8]);
    expect(valuesFor('aspect_ratio', kling)).toEqual(['16:9', '9:16', '1:1']);
    expect(valuesFor('resolution', model('google/veo-3-fast'))).toEqual(['720p', '1080p']);
  });

  it('lists nothing for a role the model does not take, and leaves free values open', () => {
    expect(valuesFor('resolution', kling)).toEqual([]);
    expect(valuesFor('prompt', kling)).toBeUndefined();
  });
});
