import type { ButtonInteraction, ModalSubmitInteraction } from 'discord.js';
import type { ComponentRoute } from '../src/discord/router.js';
import { jobButtonCustomId, parseJobIdRest, remixPrefix } from '../src/discord/custom-id.js';
import { originalInput } from './original-input.js';
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
    if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
    const jobId = parseJobIdRest(rest);
    if (!jobId) return refuse(interaction, 'job-not-found', ctx.log);
    const original = await originalInput(jobId, ctx);
    if (!original.ok) return refuse(interaction, original.refusal, ctx.log);
    const { request } = original.input;
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
    if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
    const jobId = parseJobIdRest(rest);
    if (!jobId) return refuse(interaction, 'job-not-found', ctx.log);
    const prompts = promptsOf(interaction);
    if (!prompts.ok) return refuse(interaction, prompts.refusal, ctx.log);
    // Read again: the original may have been forgotten or have expired while the form was open.
    const original = await originalInput(jobId, ctx);
    if (!original.ok) return refuse(interaction, original.refusal, ctx.log);
    ctx.log.info({ jobId, userId: interaction.user.id }, 'remix submitted');
    await startJob(interaction, { request: withPrompts(original.input.request, prompts), image: original.input.image }, ctx);
  },
};
