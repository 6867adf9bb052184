import {
  LabelBuilder,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { VideoRequest } from '../src/queue/job.js';
import { maxPromptLength, type RefusalCode } from '../src/refusals.js';

/**
 * The form of Animate image and Remix: two paragraph inputs, `prompt` (required) and `negative_prompt` (optional),
 * as long as /video's options allow, in Label components (text inputs in action rows are deprecated).
 */
export function promptModal(options: {
  customId: string;
  title: string;
  prompt?: string | undefined;
  negativePrompt?: string | undefined;
}): ModalBuilder {
  const prompt = new TextInputBuilder()
    .setCustomId('prompt')
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMaxLength(maxPromptLength)
    .setPlaceholder('What should happen in the video');
  if (options.prompt) prompt.setValue(options.prompt);
  const negative = new TextInputBuilder()
    .setCustomId('negative_prompt')
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(maxPromptLength)
    .setPlaceholder('Things you do not want to see');
  if (options.negativePrompt) negative.setValue(options.negativePrompt);
  return new ModalBuilder()
    .setCustomId(options.customId)
    .setTitle(options.title)
    .addLabelComponents(
      new LabelBuilder().setLabel('Prompt').setTextInputComponent(prompt),
      new LabelBuilder()
        .setLabel('Negative prompt')
        .setDescription('Optional')
        .setTextInputComponent(negative),
    );
}

export type SubmittedPrompts =
  | { ok: true; prompt: string; negativePrompt?: string }
  | { ok: false; refusal: RefusalCode };

/** The two inputs as the member sent them, only trimmed (they reach the model verbatim), checked like /video's. */
export function readPrompts(read: (customId: string) => string | undefined): SubmittedPrompts {
  const prompt = read('prompt')?.trim() ?? '';
  if (!prompt) return { ok: false, refusal: 'empty-prompt' };
  const negative = read('negative_prompt')?.trim() ?? '';
  if (prompt.length > maxPromptLength || negative.length > maxPromptLength) return { ok: false, refusal: 'prompt-too-long' };
  return negative ? { ok: true, prompt, negativePrompt: negative } : { ok: true, prompt };
}

/** The submitted form's prompts (an input Discord left out reads as empty). */
export function promptsOf(interaction: ModalSubmitInteraction): SubmittedPrompts {
  return readPrompts((customId) => {
    try {
      return interaction.fields.getTextInputValue(customId);
    } catch {
      return undefined;
    }
  });
}

/** `base` with the member's new prompts: the negative prompt is removed when the form's was left empty. */
export function withPrompts(base: VideoRequest, prompts: { prompt: string; negativePrompt?: string }): VideoRequest {
  const { negativePrompt: _old, ...rest } = base;
  return { ...rest, prompt: prompts.prompt, ...(prompts.negativePrompt ? { negativePrompt: prompts.negativePrompt } : {}) };
}
