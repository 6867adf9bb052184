import type { ButtonInteraction } from 'discord.js';
import type { ComponentRoute } from '../src/discord/router.js';
import { regeneratePrefix } from '../src/discord/custom-id.js';
import { pressedOriginal } from './original-input.js';
import { startJob } from './start-job.js';

/**
 * Regenerate on a delivered video (`regen:<jobId>`): the same input, image included, as a new job for whoever
 * presses it, under their allowance and every rule (start-job.ts). Its progress is the answer to the press (a new
 * message); the delivered one keeps its video.
 */
export const regenerateButton: ComponentRoute<ButtonInteraction> = {
  prefix: regeneratePrefix,
  async handle(interaction, rest, ctx) {
    const original = await pressedOriginal(interaction, rest, ctx);
    if (!original) return;
    ctx.log.info({ jobId: original.jobId, userId: interaction.user.id }, 'regenerate pressed');
    await startJob(interaction, original.input, ctx);
  },
};
