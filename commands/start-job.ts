import {
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { CopyOf, ImageRef, Job, VideoRequest } from '../src/queue/job.js';
import { refusalText, type RefusalCode } from '../src/refusals.js';
import type { CommandContext } from './types.js';

/** Every way a member starts a job: /video, the Animate image menu's modal, Regenerate, Remix's modal. */
export type StartingInteraction =
  | ChatInputCommandInteraction
  | MessageContextMenuCommandInteraction
  | ModalSubmitInteraction
  | ButtonInteraction;

/**
 * What the bot needs in the channel to deliver (the interaction's `app_permissions`): to see it, to post (in a
 * thread: Send Messages in Threads), to attach the mp4, to show a link's preview, and to read the channel back (after
 * a crash between a post and its record, only the history tells whether the video or the ping went out; without it
 * the restart would post again). Checked first, so a member never waits minutes for a video that cannot be posted.
 */
export function missingPermission(interaction: StartingInteraction): RefusalCode | undefined {
  const have = interaction.appPermissions;
  const inThread = interaction.channel?.isThread() ?? false;
  const send = inThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  if (!have.has(PermissionFlagsBits.ViewChannel)) return 'bot-cannot-view-channel';
  if (!have.has(send)) return 'bot-cannot-send-messages';
  if (!have.has(PermissionFlagsBits.AttachFiles)) return 'bot-cannot-attach-files';
  if (!have.has(PermissionFlagsBits.EmbedLinks)) return 'bot-cannot-embed-links';
  if (!have.has(PermissionFlagsBits.ReadMessageHistory)) return 'bot-cannot-read-history';
  return undefined;
}

/** The member's role ids as the interaction carries them (the moderators' role rules read them). */
export function roleIdsOf(interaction: Pick<StartingInteraction | AutocompleteInteraction, 'member'>): string[] {
  const roles = interaction.member?.roles;
  if (!roles) return [];
  return Array.isArray(roles) ? [...roles] : [...roles.cache.keys()];
}

/**
 * The one path from a member's request to a job, for every entry point: the same rules (permissions, the queue's
 * limits, the moderators' rules) before the acknowledgement, a refusal ephemeral and within Discord's 3 seconds;
 * then the job's first write, the acknowledgement (a new message: the job's progress), and the queue.
 * Nothing that can stall (storage, network) runs before the refusal or the acknowledgement but the first write,
 * which is waited for at most `storeBeforeAckMs`.
 */
export async function startJob(
  interaction: StartingInteraction,
  input: { request: VideoRequest; image?: ImageRef | undefined; copyOf?: CopyOf | undefined; seconds?: number | undefined },
  ctx: CommandContext,
): Promise<void> {
  if (!interaction.inGuild() || !interaction.channelId) return refuse(interaction, 'guild-only', ctx.log);
  const lacking = missingPermission(interaction);
  if (lacking) return refuse(interaction, lacking, ctx.log);
  const admitted = ctx.queue.admit({
    guildId: interaction.guildId,
    userId: interaction.user.id,
    userName: interaction.user.globalName ?? interaction.user.username,
    roleIds: roleIdsOf(interaction),
    request: input.request,
    image: input.image,
    ...(input.copyOf ? { copyOf: input.copyOf } : {}),
    ...(input.seconds !== undefined ? { seconds: input.seconds } : {}),
    reply: {
      applicationId: interaction.applicationId,
      interactionId: interaction.id,
      interactionToken: interaction.token,
      interactionAt: ctx.clock.now(),
      channelId: interaction.channelId,
      attachmentSizeLimit: interaction.attachmentSizeLimit,
    },
  });
  if (!admitted.ok) {
    if (admitted.refusal === 'policy') return refuseWith(interaction, admitted.policy, ctx.log);
    return refuse(interaction, admitted.refusal, ctx.log);
  }
  const job: Job = admitted.job;
  let acknowledge!: (ok: boolean) => void;
  const accepted = ctx.queue.accept(job, new Promise<boolean>((resolve) => (acknowledge = resolve)));
  // What the member is about to be shown should be stored first; but Discord's 3 seconds come before that.
  const waited = new AbortController();
  const firstWrite = await Promise.race([
    ctx.queue.whenStored(job.id),
    ctx.clock.sleep(storeBeforeAckMs, waited.signal).then(() => 'slow' as const, () => 'slow' as const),
  ]);
  waited.abort(waitOver);
  if (firstWrite === 'refused') {
    // The store refuses writes right now: better a clear "try again" than a request that a restart would forget.
    // The job's pipeline ends it quietly once (if ever) its write lands; nothing waits for that here.
    acknowledge(false);
    await refuse(interaction, 'store-unavailable', ctx.log);
    return;
  }
  try {
    await interaction.deferReply();
    acknowledge(true);
  } catch (err) {
    acknowledge(false);
    ctx.log.warn({ err, jobId: job.id, guildId: job.guildId }, 'acknowledgement failed');
  }
  await accepted;
}

/** Ends the wait timer once the write answered (one reason for all: aborting without one builds an error each time). */
const waitOver = new Error('the first write answered');

/** How long the acknowledgement waits for the job's first write (the rest of Discord's 3 s is for the network). */
export const storeBeforeAckMs = 750;

export async function refuse(interaction: StartingInteraction, code: RefusalCode, log: Logger): Promise<void> {
  await refuseWith(interaction, { code, text: refusalText(code) }, log);
}

/** Ephemeral, so a refusal naming a blocked word or an allowance is seen by the member only. */
export async function refuseWith(
  interaction: StartingInteraction,
  refusal: { code: string; text: string },
  log: Logger,
): Promise<void> {
  log.info({ refusal: refusal.code, guildId: interaction.guildId, userId: interaction.user.id }, 'request refused');
  try {
    await interaction.reply({ content: refusal.text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (err) {
    log.warn({ err, refusal: refusal.code }, 'refusal reply failed');
  }
}
