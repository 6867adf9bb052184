import {
  ApplicationIntegrationType,
  type AutocompleteInteraction,
  InteractionContextType,
  SlashCommandBuilder,
  type Attachment,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { AspectRatio, Duration, ImageRef, VideoRequest } from '../src/queue/job.js';
import { findOffered, modelName } from '../src/models/offered.js';
import { requestInput } from '../src/models/job-request.js';
import { renderModelRefusal } from '../src/models/refusals.js';
import { maxImageBytes, maxPromptLength, refusalText, type RefusalCode } from '../src/refusals.js';
import { refuse, refuseWith, roleIdsOf, startJob } from './start-job.js';
import { suggestVideoOption } from './video-suggestions.js';
import type { CommandContext } from './types.js';

/** The default model's values, checked here only when its schema was never read (Replicate down at the first start). */
const aspectRatios: readonly AspectRatio[] = ['16:9', '9:16', '1:1'];
const durations: readonly Duration[] = [5, 10];
/** An autocomplete choice's value is at most 100 characters (owner/name fits). */
const maxModelNameLength = 100;
const imageTypes = ['image/png', 'image/jpeg', 'image/webp'];

export const data = new SlashCommandBuilder()
  .setName('video')
  .setDescription('Turn a prompt (and optionally an image) into a short video')
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addStringOption((o) =>
    o.setName('prompt').setDescription('What should happen in the video').setRequired(true).setMaxLength(maxPromptLength),
  )
  .addStringOption((o) =>
    o.setName('model').setDescription('Which video model makes it (default: the server’s)').setAutocomplete(true).setMaxLength(maxModelNameLength),
  )
  .addAttachmentOption((o) => o.setName('image').setDescription('First frame (PNG, JPEG or WebP, up to 10 MB)'))
  .addStringOption((o) =>
    o.setName('negative_prompt').setDescription('Things you do not want to see').setMaxLength(maxPromptLength),
  )
  .addStringOption((o) =>
    o
      .setName('aspect_ratio')
      .setDescription('Shape of the video (ignored with an image)')
      .setAutocomplete(true),
  )
  .addIntegerOption((o) => o.setName('duration').setDescription('Length in seconds').setAutocomplete(true))
  .addNumberOption((o) =>
    o.setName('cfg_scale').setDescription('How closely to follow the prompt (0 to 1)').setMinValue(0).setMaxValue(1),
  )
  .addStringOption((o) => o.setName('resolution').setDescription('Picture size, e.g. 720p').setAutocomplete(true))
  .addBooleanOption((o) => o.setName('audio').setDescription('With a sound track (models that make one)'))
  .addIntegerOption((o) => o.setName('seed').setDescription('Same seed, same settings: a similar video').setMinValue(0));

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
  const ratio = options.getString('aspect_ratio')?.trim();
  if (ratio) request.aspectRatio = ratio;
  const duration = options.getInteger('duration');
  if (duration !== null) request.duration = duration;
  const cfg = options.getNumber('cfg_scale');
  if (cfg !== null) {
    if (!(cfg >= 0 && cfg <= 1)) return { ok: false, refusal: 'bad-option' };
    request.cfgScale = cfg;
  }
  const resolution = options.getString('resolution')?.trim();
  if (resolution) request.resolution = resolution;
  const audio = options.getBoolean('audio');
  if (audio !== null) request.audio = audio;
  const seed = options.getInteger('seed');
  if (seed !== null) request.seed = seed;
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

type Fitted = { ok: true; request: VideoRequest; seconds?: number } | { ok: false; refusal: { code: string; text: string } };

/**
 * The request on the chosen model (the `model` option, else the guild's default), checked against its schema before
 * the acknowledgement: a model not offered, a role it lacks or a value it does not take is refused naming what it
 * takes. The job records its model unless it is the operator's default, which a job without one runs on.
 */
export function fitModel(
  request: VideoRequest,
  typedModel: string | null,
  withImage: boolean,
  member: { guildId: string; roleIds: readonly string[] },
  ctx: CommandContext,
): Fitted {
  const { guildId } = member;
  const offered = ctx.models.list(guildId, member.roleIds);
  const { operatorDefault } = ctx.models;
  let name = ctx.models.defaultOf(guildId);
  const typed = typedModel?.trim();
  if (typed) {
    const found = findOffered(offered, typed);
    // The operator's default whose schema was never read is not listed, yet still runs (by name).
    if (!found && typed.toLowerCase() !== operatorDefault) {
      const names = offered.map(modelName).join(', ');
      return { ok: false, refusal: { code: 'model-not-offered', text: `There is no model called “${typed}” here. Pick one of: ${names}.` } };
    }
    name = found?.model ?? operatorDefault;
  }
  // A job without a model runs on the operator's default: only another one is recorded (and named in its messages).
  if (name !== operatorDefault) request = { ...request, model: name };
  const model = offered.find((m) => m.model === name);
  if (!model) {
    // The default model's schema was never read: the checks it always had.
    const known = (request.aspectRatio === undefined || aspectRatios.includes(request.aspectRatio))
      && (request.duration === undefined || durations.includes(request.duration));
    return known ? { ok: true, request } : { ok: false, refusal: { code: 'bad-option', text: refusalText('bad-option') } };
  }
  const mapped = requestInput(request, model.roles, withImage ? 'https://discord.invalid/attachment' : undefined);
  if (!mapped.ok) return { ok: false, refusal: { code: mapped.refusal.code, text: renderModelRefusal(mapped.refusal) } };
  return { ok: true, request, ...(mapped.seconds !== undefined ? { seconds: mapped.seconds } : {}) };
}

/** /video: read the options, fit them to the model, then the one path every job starts by (start-job.ts). */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
  const parsed = parseVideoOptions(interaction);
  if (!parsed.ok) return refuse(interaction, parsed.refusal, ctx.log);
  const member = { guildId: interaction.guildId, roleIds: roleIdsOf(interaction) };
  const fitted = fitModel(parsed.request, interaction.options.getString('model'), parsed.image !== undefined, member, ctx);
  if (!fitted.ok) return refuseWith(interaction, fitted.refusal, ctx.log);
  await startJob(interaction, { ...parsed, request: fitted.request, seconds: fitted.seconds }, ctx);
}

/** Suggestions for `model`, `aspect_ratio`, `duration` and `resolution` (video-suggestions.ts). */
export async function autocomplete(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void> {
  const choices = suggestVideoOption(interaction, ctx);
  try {
    await interaction.respond(choices);
  } catch (err) {
    ctx.log.warn({ err, command: 'video' }, 'autocomplete answer failed');
  }
}
