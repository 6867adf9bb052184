import type { ButtonInteraction, ModalSubmitInteraction } from 'discord.js';
import type { ComponentRoute } from '../src/discord/router.js';
import { jobButtonCustomId, remixPrefix } from '../src/discord/custom-id.js';
import { pressedOriginal } from './original-input.js';
import { promptModal, promptsOf, withPrompts } from './prompt-modal.js';
import { refuse, startJob } from './start-job.js';

/**
 * Remix on a delivered video (`remix:<jobId>`): a form with the original's prompts to edit. The form is the first
 * answer to the press (only the original's record is read first, within a bound); its submit (same custom_id) is a
 * new job for the presser with the original's other options and image.
 */
export const remixButton: ComponentRoute<ButtonInteraction> = {
  prefix: remixPrefix,
  async handle(interaction, rest, ctx) {
    const original = await pressedOriginal(interaction, rest, ctx);
    if (!original) return;
    const { jobId, input: { request } } = original;
    await interaction.showModal(
      promptModal({
        customId: jobButtonCustomId(remixPrefix, jobId),
        title: 'Remix this video',
        prompt: request.prompt,
        negativePrompt: request.negativePrompt,
      }),
    );
  },
};

export const remixModal: ComponentRoute<ModalSubmitInteraction> = {
  prefix: remixPrefix,
  async handle(interaction, rest, ctx) {
    const prompts = promptsOf(interaction);
    if (!prompts.ok) return refuse(interaction, prompts.refusal, ctx.log);
    // Read again: the original may have been forgotten or have expired while the form was open.
    const original = await pressedOriginal(interaction, rest, ctx);
    if (!original) return;
    ctx.log.info({ jobId: original.jobId, userId: interaction.user.id }, 'remix submitted');
    const { image, copyOf } = original.input;
    await startJob(interaction, { request: withPrompts(original.input.request, prompts), image, copyOf }, ctx);
  },
};
