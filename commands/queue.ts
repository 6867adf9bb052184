import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { renderQueue } from './member-view.js';
import { refuse } from './start-job.js';
import type { CommandContext } from './types.js';

export const data = new SlashCommandBuilder()
  .setName('queue')
  .setDescription('How many videos wait and run in this server, and where yours are')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

/** /queue (ephemeral): answered straight from memory, within Discord's 3 s, with no deferral. */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
  const { guildId } = interaction;
  const embed = renderQueue({
    snapshot: ctx.queue.guildSnapshot(guildId),
    jobs: ctx.queue.memberJobs(guildId, interaction.user.id),
  });
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}
