import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelListText, parseModelList } from '../../src/models/catalogue.js';

const kling = 'kwaivgi/kling-v1.6-standard';

describe('REPLICATE_MODELS', () => {
  it('unset or blank gives just REPLICATE_MODEL at PRICE_PER_SECOND_USD', () => {
    const only = { ok: true, entries: [{ model: kling, pricePerSecondUsd: 0.05, isDefault: true }] };
    expect(parseModelList(undefined, kling, 0.05)).toEqual(only);
    expect(parseModelList('  ', kling, 0.05)).toEqual(only);
  });

  it('reads owner/name entries with optional prices in dollars per second, in the listed order', () => {
    expect(parseModelList('kwaivgi/kling-v1.6-standard=0.05, google/veo-3-fast=0.10', kling, 0.07)).toEqual({
      ok: true,
      entries: [
        { model: kling, pricePerSecondUsd: 0.05, isDefault: true },
        { model: 'google/veo-3-fast', pricePerSecondUsd: 0.1, isDefault: false },
      ],
    });
  });

  it('gives a model without a price PRICE_PER_SECOND_USD', () => {
    const result = parseModelList(`${kling},wan-video/wan-2.2-i2v-fast`, kling, 0.05);
    expect(result.ok && result.entries[1]).toEqual({ model: 'wan-video/wan-2.2-i2v-fast', pricePerSecondUsd: 0.05, isDefault: false });
  });

  it('adds REPLICATE_MODEL first when the list leaves it out', () => {
    const result = parseModelList('google/veo-3-fast=0.1,', kling, 0.05);
    expect(result.ok && result.entries.map((e) => [e.model, e.pricePerSecondUsd, e.isDefault])).toEqual([
      [kling, 0.05, true],
      ['google/veo-3-fast', 0.1, false],
    ]);
  });

  it('names the malformed entry in one line', () => {
    for (const [text, entry] of [
      ['google/veo-3-fast=ten', 'google/veo-3-fast=ten'],
      ['veo-3-fast', 'veo-3-fast'],
      ['google/veo-3-fast=-1', 'google/veo-3-fast=-1'],
      ['google/veo-3-fast:abc123', 'google/veo-3-fast:abc123'],
      [`${kling}, google/veo 3`, 'google/veo 3'],
    ]) {
      const result = parseModelList(text, kling, 0.05);
      expect(result).toEqual({ ok: false, message: expect.stringContaining(`"${entry}"`) });
      expect(result.ok || result.message.includes('\n')).toBe(false);
    }
    expect(parseModelList('google/veo-3-fast=ten', kling, 0.05)).toEqual({
      ok: false,
      message:
        'REPLICATE_MODELS entry "google/veo-3-fast=ten" must be owner/name or owner/name=PRICE (US dollars per second of video, e.g. google/veo-3-fast=0.10)',
    });
  });

  it('refuses a model listed twice', () => {
    expect(parseModelList('google/veo-3-fast=0.1,google/veo-3-fast=0.2', kling, 0.05)).toEqual({
      ok: false,
      message: 'REPLICATE_MODELS lists "google/veo-3-fast" twice',
    });
  });

  it('offers the syntax check as a zod schema whose message names the entry', () => {
    const schema = z.object({ REPLICATE_MODELS: modelListText.optional() });
    expect(schema.safeParse({ REPLICATE_MODELS: 'a/b=0.1,c/d' }).success).toBe(true);
    const bad = schema.safeParse({ REPLICATE_MODELS: 'a/b=0.1,c' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('"c"');
  });
});
