import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { videoLinkOf } from '../src/queue/video-link.js';
import { renderUsage, type VideoLink } from './member-view.js';
import { refuse, roleIdsOf } from './start-job.js';
import type { CommandContext } from './types.js';

export const data = new SlashCommandBuilder()
  .setName('usage')
  .setDescription('Your seconds of video left, your jobs and links to your last videos')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

/** Videos linked in the reply. */
const linksShown = 5;

/**
 * /usage (ephemeral): the member's seconds left this period and when they reset, the server budget, their live
 * jobs with places and ETAs, and links to their last videos. Those links need the jobs' records, which may have to
 * come from the store: so the reply is deferred first, then filled in (nothing slow runs before Discord's 3 s).
 */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
  const { guildId } = interaction;
  const userId = interaction.user.id;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const standing = ctx.policy.standingOf(guildId, userId, roleIdsOf(interaction));
  const jobs = ctx.queue.memberJobs(guildId, userId);
  const links: VideoLink[] = [];
  let linksUnavailable = false;
  try {
    // A few more ids than shown: an expired or forgotten job is skipped, and the next one takes its place.
    for (const jobId of ctx.policy.recentDelivered(guildId, userId, linksShown * 2)) {
      if (links.length >= linksShown) break;
      const job = await ctx.queue.getJob(jobId);
      // A forgotten job keeps no prompt to show: its member asked for it to go.
      const url = job && job.userId === userId && job.forgottenAt === undefined ? videoLinkOf(job) : undefined;
      if (job && url) links.push({ job, url });
    }
  } catch (err) {
    ctx.log.warn({ err, guildId, userId }, 'usage: video links not read');
    linksUnavailable = true;
  }
  ctx.log.info({ guildId, userId, jobs: jobs.length, links: links.length }, 'usage shown');
  await interaction.editReply({
    embeds: [renderUsage({ standing, jobs, links, linksUnavailable })],
    allowedMentions: { parse: [] },
  });
}
