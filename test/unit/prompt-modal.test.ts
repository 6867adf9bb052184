import { describe, expect, it } from 'vitest';
import { signedUntil } from '../../commands/animate-image.js';
import { promptModal, readPrompts, withPrompts } from '../../commands/prompt-modal.js';

describe('the prompt form of Animate image and Remix', () => {
  it('is two paragraph inputs in Label components, prompt required, negative prompt optional, prefilled when given', () => {
    const json = promptModal({ customId: 'remix:job-1', title: 'Remix this video', prompt: 'a cat', negativePrompt: 'blur' }).toJSON();
    expect(json).toEqual({
      custom_id: 'remix:job-1',
      title: 'Remix this video',
      components: [
        {
          type: 18,
          label: 'Prompt',
          component: expect.objectContaining({ type: 4, custom_id: 'prompt', style: 2, required: true, max_length: 2500, value: 'a cat' }),
        },
        {
          type: 18,
          label: 'Negative prompt',
          description: 'Optional',
          component: expect.objectContaining({ type: 4, custom_id: 'negative_prompt', style: 2, required: false, max_length: 2500, value: 'blur' }),
        },
      ],
    });
  });

  it('leaves the inputs empty without prefill', () => {
    const json = promptModal({ customId: 'animate:1:2', title: 'Animate image' }).toJSON();
    const inputs = json.components.map((c) => (c as { component: { value?: string } }).component);
    expect(inputs.map((i) => i.value)).toEqual([undefined, undefined]);
  });

  it('keeps the prompts verbatim but for the ends, and refuses an empty or too long one', () => {
    const values: Record<string, string> = { prompt: '  a "cat", dancing\n\tslowly  ', negative_prompt: ' \n ' };
    expect(readPrompts((id) => values[id])).toEqual({ ok: true, prompt: 'a "cat", dancing\n\tslowly' });
    expect(readPrompts((id) => ({ prompt: 'x', negative_prompt: ' no rain ' })[id])).toEqual({ ok: true, prompt: 'x', negativePrompt: 'no rain' });
    expect(readPrompts(() => '   ')).toEqual({ ok: false, refusal: 'empty-prompt' });
    expect(readPrompts(() => undefined)).toEqual({ ok: false, refusal: 'empty-prompt' });
    expect(readPrompts((id) => (id === 'prompt' ? 'p' : 'n'.repeat(2501)))).toEqual({ ok: false, refusal: 'prompt-too-long' });
  });

  it("puts the new prompts on the original's other options, dropping a negative prompt left empty", () => {
    const original = { prompt: 'old', negativePrompt: 'old no', duration: 10 as const, aspectRatio: '9:16' as const, cfgScale: 0.3 };
    expect(withPrompts(original, { prompt: 'new' })).toEqual({ prompt: 'new', duration: 10, aspectRatio: '9:16', cfgScale: 0.3 });
    expect(withPrompts(original, { prompt: 'new', negativePrompt: 'new no' })).toMatchObject({ negativePrompt: 'new no' });
  });
});

describe('the expiry of a signed attachment URL', () => {
  it('is read from its ex parameter (hex seconds)', () => {
    expect(signedUntil('https://cdn.discordapp.com/attachments/1/2/a.png?ex=67a0b000&is=1&hm=f')).toBe(0x67a0b000 * 1000);
    expect(signedUntil('https://cdn.discordapp.com/attachments/1/2/a.png')).toBeUndefined();
    expect(signedUntil('not a url')).toBeUndefined();
  });
});
