import { describe, expect, it } from 'vitest';
import { parseModelsFile } from '../../src/models/models-file.js';

const parse = (value: unknown) => parseModelsFile(JSON.stringify(value), 'models.json');

describe('the models file', () => {
  it('reads labels, role mappings (null drops a role) and fixed inputs per model', () => {
    const file = {
      'kwaivgi/kling-v2.1': { label: 'Kling 2.1 (needs an image)', fields: { resolution: 'mode', seed: null } },
      'minimax/video-01': { fixed: { prompt_optimizer: false, fps: 24, style: 'anime' } },
    };
    expect(parse(file)).toEqual({ ok: true, file });
  });

  it('names what is wrong in one line', () => {
    const cases: [unknown, string][] = [
      [[], 'models.json must be a JSON object of models by owner/name'],
      [{ 'video-01': {} }, 'models.json: "video-01" is not owner/name'],
      [{ 'a/b': { feilds: {} } }, 'models.json: a/b has an unknown setting "feilds" (known: label, fields, fixed)'],
      [
        { 'a/b': { fields: { promt: 'text' } } },
        'models.json: a/b fields: "promt" is not a role (roles: prompt, negative_prompt, first_frame, last_frame, duration, aspect_ratio, resolution, audio, seed, guidance)',
      ],
      [{ 'a/b': { fields: { prompt: 3 } } }, 'models.json: a/b fields.prompt must be a field name of the model, or null'],
      [{ 'a/b': { fixed: { mode: [1] } } }, 'models.json: a/b fixed.mode must be text, a number, or true/false'],
      [{ 'a/b': { fixed: { 'a b': 1 } } }, 'models.json: a/b fixed: "a b" is not a field name'],
      [{ 'a/b': { label: '' } }, 'models.json: a/b label must be 1 to 100 characters'],
    ];
    for (const [value, message] of cases) expect(parse(value)).toEqual({ ok: false, message });
  });

  it('says where the JSON breaks', () => {
    const result = parseModelsFile('{"a/b": {', 'models.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^models\.json is not valid JSON: /);
  });
});
