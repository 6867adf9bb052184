import {
  ApplicationIntegrationType,
  InteractionContextType,
  SlashCommandBuilder,
  type Attachment,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { AspectRatio, Duration, ImageRef, VideoRequest } from '../src/queue/job.js';
import { maxImageBytes, maxPromptLength, type RefusalCode } from '../src/refusals.js';
import { refuse, startJob } from './start-job.js';
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

/** /video: read the options, then the one path every job starts by (start-job.ts). */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
  const parsed = parseVideoOptions(interaction);
  if (!parsed.ok) return refuse(interaction, parsed.refusal, ctx.log);
  await startJob(interaction, parsed, ctx);
}
