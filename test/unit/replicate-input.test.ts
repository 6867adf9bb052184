import { describe, expect, it } from 'vitest';
import { toModelInput } from '../../src/replicate/input.js';

describe('toModelInput', () => {
  it('sends only the prompt when the member set nothing else, so the model defaults apply', () => {
    expect(toModelInput({ prompt: 'a red fox' })).toEqual({ prompt: 'a red fox' });
  });

  it('maps every option to the model snake_case keys', () => {
    expect(
      toModelInput({ prompt: 'p', negativePrompt: 'blur', aspectRatio: '9:16', duration: 10, cfgScale: 0 }, 'https://x/files/1'),
    ).toEqual({ prompt: 'p', negative_prompt: 'blur', aspect_ratio: '9:16', duration: 10, cfg_scale: 0, start_image: 'https://x/files/1' });
  });

  it('sends start_image only with an image', () => {
    expect(Object.keys(toModelInput({ prompt: 'p', duration: 5 }))).toEqual(['prompt', 'duration']);
  });
});
