import { describe, expect, it } from 'vitest';
import { countedSeconds, defaultDurationSeconds } from '../../src/models/cost.js';
import { rolesOf, type ModelRoles } from '../../src/models/roles.js';
import { readModelSchema } from '../../src/models/schema.js';
import { fixtureModelJson, type FixtureModel } from './models-fixtures.js';

function model(name: FixtureModel): ModelRoles {
  const schema = readModelSchema(fixtureModelJson(name));
  const roles = schema.ok ? rolesOf(schema.schema) : undefined;
  if (!roles?.ok) throw new Error(name);
  return roles.roles;
}

describe('seconds counted against an allowance', () => {
  it('counts 8 s on a model twice the default’s price as 16 s', () => {
    expect(countedSeconds(8, 0.1, 0.05)).toBe(16);
  });

  it('counts the default model’s seconds as they are', () => {
    expect(countedSeconds(5, 0.05, 0.05)).toBe(5);
    expect(countedSeconds(10, 0.07, 0.07)).toBe(10);
  });

  it('rounds up to a whole second without floating-point surprises', () => {
    // 0.07 / 0.05 × 5 is 7.000000000000001 in floating point: still 7 s.
    expect(countedSeconds(5, 0.07, 0.05)).toBe(7);
    expect(countedSeconds(3, 0.3, 0.1)).toBe(9);
    expect(countedSeconds(5, 0.06, 0.05)).toBe(6);
    expect(countedSeconds(81 / 16, 0.05, 0.05)).toBe(6);
    expect(countedSeconds(4, 0.01, 0.05)).toBe(1);
  });

  it('counts a free model as nothing, and the seconds themselves when the default is free', () => {
    expect(countedSeconds(8, 0, 0.05)).toBe(0);
    expect(countedSeconds(8, 0.1, 0)).toBe(8);
  });

  it('reads a model’s default length from its schema, frames ÷ fps for a frames model', () => {
    expect(defaultDurationSeconds(model('kwaivgi/kling-v1.6-standard'))).toBe(5);
    expect(defaultDurationSeconds(model('google/veo-3-fast'))).toBe(8);
    expect(defaultDurationSeconds(model('bytedance/seedance-1-pro'))).toBe(5);
    expect(defaultDurationSeconds(model('wan-video/wan-2.2-i2v-fast'))).toBe(81 / 16);
  });
});
