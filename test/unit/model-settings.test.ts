import { describe, expect, it } from 'vitest';
import { applyAdminChange, type AdminChange, type ChangeResult } from '../../src/settings/admin-changes.js';
import { emptySettings, type GuildSettings, type OperatorPolicy } from '../../src/settings/guild-settings.js';
import { modelsFor, type ModelCatalogue } from '../../src/settings/model-settings.js';

const operator: OperatorPolicy = { quotaDefaultSeconds: 60, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 2 } };
const catalogue: ModelCatalogue = {
  defaultModel: 'wan/fast',
  list: () => [
    { model: 'wan/fast', pricePerSecondUsd: 0.05, isDefault: true },
    { model: 'google/veo', pricePerSecondUsd: 0.4, isDefault: false },
    { model: 'kling/pro', pricePerSecondUsd: 0.1, isDefault: false },
  ],
};
const ctx = { now: Date.UTC(2026, 11, 1, 10), by: 'mod', operator, models: catalogue };

function apply(change: AdminChange, settings: GuildSettings = emptySettings()): Extract<ChangeResult, { ok: true }> {
  const result = applyAdminChange(settings, change, ctx);
  if (!result.ok) throw new Error(result.error);
  return result;
}
function refuse(change: AdminChange, settings: GuildSettings = emptySettings()): string {
  const result = applyAdminChange(settings, change, ctx);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('the models a server allows', () => {
  it('allows every catalogue model to everyone, with the operator’s default, until a moderator changes it', () => {
    expect(modelsFor(emptySettings(), catalogue, [])).toEqual({ allowed: ['wan/fast', 'google/veo', 'kling/pro'], defaultModel: 'wan/fast' });
  });

  it('limits a model to the roles allowed so far: a member needs one of them', () => {
    const one = apply({ kind: 'models-allow', model: 'google/veo', roleId: 'r1' });
    expect(one.changes).toEqual(['google/veo: everyone → <@&r1>']);
    const two = apply({ kind: 'models-allow', model: 'google/veo', roleId: 'r2' }, one.settings);
    expect(two.changes).toEqual(['google/veo: <@&r1> → <@&r1>, <@&r2>']);
    expect(modelsFor(two.settings, catalogue, []).allowed).toEqual(['wan/fast', 'kling/pro']);
    expect(modelsFor(two.settings, catalogue, ['r2']).allowed).toEqual(['wan/fast', 'google/veo', 'kling/pro']);
    const open = apply({ kind: 'models-allow', model: 'google/veo' }, two.settings);
    expect(open.changes).toEqual(['google/veo: <@&r1>, <@&r2> → everyone']);
    expect(modelsFor(open.settings, catalogue, []).allowed).toContain('google/veo');
  });

  it('denies a model to everyone, and allowing it again opens it', () => {
    const denied = apply({ kind: 'models-deny', model: 'kling/pro' });
    expect(denied.changes).toEqual(['kling/pro: everyone → not allowed']);
    expect(modelsFor(denied.settings, catalogue, ['r1']).allowed).toEqual(['wan/fast', 'google/veo']);
    expect(apply({ kind: 'models-allow', model: 'kling/pro' }, denied.settings).changes).toEqual(['kling/pro: not allowed → everyone']);
    expect(apply({ kind: 'models-deny', model: 'kling/pro' }, denied.settings).changes).toEqual(['nothing changed (already so)']);
  });

  it('sets the server default to an allowed catalogue model', () => {
    const set = apply({ kind: 'models-default', model: 'kling/pro' });
    expect(set.changes).toEqual(['default model: wan/fast → kling/pro']);
    expect(modelsFor(set.settings, catalogue, []).defaultModel).toBe('kling/pro');
    expect(apply({ kind: 'models-default', model: 'wan/fast' }, set.settings).settings.models.defaultModel).toBeUndefined();
  });

  it('refuses a default that is denied or limited to roles, and denying or limiting the default, saying what to do', () => {
    const denied = apply({ kind: 'models-deny', model: 'kling/pro' }).settings;
    expect(refuse({ kind: 'models-default', model: 'kling/pro' }, denied)).toBe(
      'kling/pro is not allowed in this server: allow it first (`/video-admin models allow model:kling/pro`).',
    );
    const limited = apply({ kind: 'models-allow', model: 'google/veo', roleId: 'r1' }).settings;
    expect(refuse({ kind: 'models-default', model: 'google/veo' }, limited)).toBe(
      'google/veo is limited to some roles: the server default must be open to everyone (`/video-admin models allow model:google/veo` without a role).',
    );
    expect(refuse({ kind: 'models-deny', model: 'wan/fast' })).toBe(
      'wan/fast is the server default: make another model the default first (`/video-admin models default`).',
    );
    expect(refuse({ kind: 'models-allow', model: 'wan/fast', roleId: 'r1' })).toBe(
      'wan/fast is the server default, open to everyone: make another model the default first (`/video-admin models default`).',
    );
  });

  it('refuses a model the operator does not offer', () => {
    expect(refuse({ kind: 'models-allow', model: 'acme/nope' })).toBe(
      '“acme/nope” is not one of the models this bot offers: pick one from the list (`/video-admin models list`).',
    );
  });

  it('ignores stored settings of a model the operator no longer offers', () => {
    const stored = emptySettings();
    stored.models = { denied: ['gone/model'], roles: { 'gone/old': ['r1'] }, defaultModel: 'gone/model' };
    expect(modelsFor(stored, catalogue, [])).toEqual({ allowed: ['wan/fast', 'google/veo', 'kling/pro'], defaultModel: 'wan/fast' });
  });

  it('keeps the operator’s default usable even when this server had denied it before the operator made it the default', () => {
    const stored = emptySettings();
    stored.models = { denied: ['wan/fast'], roles: {} };
    expect(modelsFor(stored, catalogue, [])).toEqual({ allowed: ['wan/fast', 'google/veo', 'kling/pro'], defaultModel: 'wan/fast' });
  });
});
