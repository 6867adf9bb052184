import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type Attachment,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { AspectRatio, Duration, ImageRef, Job, VideoRequest } from '../src/queue/job.js';
import { maxImageBytes, maxPromptLength, refusalText, type RefusalCode } from '../src/refusals.js';
import type { CommandContext } from './types.js';

const aspectRatios: readonly AspectRatio[] = ['16:9', '9:16', '1:1'];
const imageTypes = ['image/png', 'image/jpeg', 'image/webp'];

export const data = new SlashCommandBuilder()
  .setName('video')
  .setDescription('Turn a prompt (and optionally an image) into a short video')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addStringOption((o) =>
    o.setName('prompt').setDescription('What should happen in the video').setRequired(true).setMaxLength(maxPromptLength),
  )
  .addAttachmentOption((o) => o.setName('image').setDescription('First frame (PNG, JPEG or WebP, up to 10 MB)'))
  .addStringOption((o) =>
    o.setName('negative_prompt').setDescription('Things you do not want to see').setMaxLength(maxPromptLength),
  )
  .addStringOption((o) =>
    o
      .setName('aspect_ratio')
      .setDescription('Shape of the video (ignored with an image)')
      .addChoices(...aspectRatios.map((r) => ({ name: r, value: r }))),
  )
  .addIntegerOption((o) =>
    o
      .setName('duration')
      .setDescription('Length in seconds')
      .addChoices({ name: '5 seconds', value: 5 }, { name: '10 seconds', value: 10 }),
  )
  .addNumberOption((o) =>
    o.setName('cfg_scale').setDescription('How closely to follow the prompt (0 to 1)').setMinValue(0).setMaxValue(1),
  );

type Parsed = { ok: true; request: VideoRequest; image?: ImageRef } | { ok: false; refusal: RefusalCode };

/** Reads the options into a request. Pure and synchronous: it runs before the acknowledgement. */
export function parseVideoOptions(interaction: ChatInputCommandInteraction): Parsed {
  const options = interaction.options;
  const prompt = options.getString('prompt')?.trim() ?? '';
  if (!prompt) return { ok: false, refusal: 'empty-prompt' };
  if (prompt.length > maxPromptLength) return { ok: false, refusal: 'prompt-too-long' };
  const request: VideoRequest = { prompt };
  const negative = options.getString('negative_prompt')?.trim();
  if (negative) {
    if (negative.length > maxPromptLength) return { ok: false, refusal: 'prompt-too-long' };
    request.negativePrompt = negative;
  }
  const ratio = options.getString('aspect_ratio');
  if (ratio !== null) {
    if (!aspectRatios.includes(ratio as AspectRatio)) return { ok: false, refusal: 'bad-option' };
    request.aspectRatio = ratio as AspectRatio;
  }
  const duration = options.getInteger('duration');
  if (duration !== null) {
    if (duration !== 5 && duration !== 10) return { ok: false, refusal: 'bad-option' };
    request.duration = duration as Duration;
  }
  const cfg = options.getNumber('cfg_scale');
  if (cfg !== null) {
    if (!(cfg >= 0 && cfg <= 1)) return { ok: false, refusal: 'bad-option' };
    request.cfgScale = cfg;
  }
  const attachment = options.getAttachment('image');
  if (!attachment) return { ok: true, request };
  const refusal = checkAttachment(attachment);
  if (refusal) return { ok: false, refusal };
  return {
    ok: true,
    request,
    image: {
      filename: attachment.name,
      contentType: attachment.contentType,
      size: attachment.size,
      url: attachment.url,
      stored: false,
    },
  };
}

function checkAttachment(attachment: Attachment): RefusalCode | undefined {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && !imageTypes.includes(type)) return 'not-an-image';
  if (attachment.size > maxImageBytes) return 'image-too-large';
  return undefined;
}

/**
 * What the bot needs in the channel to deliver (the interaction's `app_permissions`): to see it, to post (in a
 * thread: Send Messages in Threads), to attach the mp4 and to show a link's preview. Checked first, so a member
 * never waits minutes for a video that cannot be posted.
 */
export function missingPermission(interaction: ChatInputCommandInteraction): RefusalCode | undefined {
  const have = interaction.appPermissions;
  const inThread = interaction.channel?.isThread() ?? false;
  const send = inThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  if (!have.has(PermissionFlagsBits.ViewChannel)) return 'bot-cannot-view-channel';
  if (!have.has(send)) return 'bot-cannot-send-messages';
  if (!have.has(PermissionFlagsBits.AttachFiles)) return 'bot-cannot-attach-files';
  if (!have.has(PermissionFlagsBits.EmbedLinks)) return 'bot-cannot-embed-links';
  return undefined;
}

/**
 * /video: refuse ephemerally or acknowledge at once, then hand the job to the queue.
 * Nothing that can stall (storage, network) runs before `deferReply`.
 */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
  const lacking = missingPermission(interaction);
  if (lacking) return refuse(interaction, lacking, ctx.log);
  const parsed = parseVideoOptions(interaction);
  if (!parsed.ok) return refuse(interaction, parsed.refusal, ctx.log);
  const admitted = ctx.queue.admit({
    guildId: interaction.guildId,
    userId: interaction.user.id,
    request: parsed.request,
    image: parsed.image,
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

async function refuse(interaction: ChatInputCommandInteraction, code: RefusalCode, log: Logger): Promise<void> {
  await refuseWith(interaction, { code, text: refusalText(code) }, log);
}

/** Ephemeral, so a refusal naming a blocked word or an allowance is seen by the member only. */
async function refuseWith(interaction: ChatInputCommandInteraction, refusal: { code: string; text: string }, log: Logger): Promise<void> {
  log.info({ refusal: refusal.code, guildId: interaction.guildId, userId: interaction.user.id }, 'request refused');
  try {
    await interaction.reply({ content: refusal.text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (err) {
    log.warn({ err, refusal: refusal.code }, 'refusal reply failed');
  }
}
