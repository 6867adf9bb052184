import type { ButtonInteraction } from 'discord.js';
import type { ComponentRoute } from '../src/discord/router.js';
import { parseJobIdRest, regeneratePrefix } from '../src/discord/custom-id.js';
import { originalInput } from './original-input.js';
import { refuse, startJob } from './start-job.js';

/**
 * Regenerate on a delivered video (`regen:<jobId>`): the same input, image included, as a new job for whoever
 * presses it, under their allowance and every rule (start-job.ts). Its progress is the answer to the press (a new
 * message); the delivered one keeps its video.
 */
export const regenerateButton: ComponentRoute<ButtonInteraction> = {
  prefix: regeneratePrefix,
  async handle(interaction, rest, ctx) {
    if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
    const jobId = parseJobIdRest(rest);
    if (!jobId) return refuse(interaction, 'job-not-found', ctx.log);
    const original = await originalInput(jobId, ctx);
    if (!original.ok) return refuse(interaction, original.refusal, ctx.log);
    ctx.log.info({ jobId, userId: interaction.user.id }, 'regenerate pressed');
    await startJob(interaction, original.input, ctx);
  },
};
