import { describe, expect, it } from 'vitest';
import { emptyModelSettings, type ModelCatalogue } from '../../src/settings/model-settings.js';
import { modelChoices, renderModels } from '../../src/settings/models-view.js';

const catalogue: ModelCatalogue = {
  defaultModel: 'wan/fast',
  list: () => [
    { model: 'wan/fast', pricePerSecondUsd: 0.05, isDefault: true },
    { model: 'google/veo', pricePerSecondUsd: 0.4, isDefault: false, label: 'Veo' },
    { model: 'kling/pro', pricePerSecondUsd: 0.1, isDefault: false },
  ],
};

describe('the models list', () => {
  it('shows every model with its price, who may use it here, and the server default', () => {
    const s = { denied: ['kling/pro'], roles: { 'google/veo': ['r1'] } };
    const embed = renderModels(s, catalogue);
    expect(embed.description).toBe(
      '⭐ `wan/fast` · $0.050/s · ✅ everyone\nVeo (`google/veo`) · $0.400/s · ✅ only <@&r1>\n`kling/pro` · $0.100/s · ⛔ not allowed',
    );
    expect(embed.fields).toEqual([{ name: 'Server default', value: "`wan/fast` (the operator's default)" }]);
  });

  it('names stored settings of models the operator no longer offers as ignored', () => {
    const embed = renderModels({ denied: ['gone/a'], roles: {}, defaultModel: 'gone/a' }, catalogue);
    expect(embed.fields).toContainEqual({ name: 'No longer offered', value: 'Settings stored for `gone/a` are ignored: the operator no longer offers it.' });
    expect(embed.description).toContain('⭐ `wan/fast`');
  });

  it('autocompletes over the catalogue by name or label, at most 25 choices of at most 100 characters', () => {
    expect(modelChoices(catalogue, 'veo')).toEqual([{ name: 'Veo · google/veo · $0.400/s', value: 'google/veo' }]);
    expect(modelChoices(catalogue, '')).toHaveLength(3);
    const many: ModelCatalogue = {
      defaultModel: 'o/m0',
      list: () => Array.from({ length: 30 }, (_, i) => ({ model: `o/m${i}` as const, pricePerSecondUsd: 0.1, isDefault: i === 0, label: 'x'.repeat(120) })),
    };
    const choices = modelChoices(many, '');
    expect(choices).toHaveLength(25);
    expect(Math.max(...choices.map((c) => c.name.length))).toBe(100);
    expect(emptyModelSettings()).toEqual({ denied: [], roles: {} });
  });
});
