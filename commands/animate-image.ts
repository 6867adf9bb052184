import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  Routes,
  type APIMessage,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Clock } from '../src/clock.js';
import { animateCustomId, animatePrefix, parseAnimateRest } from '../src/discord/custom-id.js';
import { pickImage, picturesOfApiMessage, picturesOfMessage, type ImagePick } from '../src/discord/message-image.js';
import type { ComponentRoute } from '../src/discord/router.js';
import type { ImageRef } from '../src/queue/job.js';
import { promptModal, promptsOf } from './prompt-modal.js';
import { missingPermission, refuse, startJob } from './start-job.js';
import type { CommandContext, MessageCommand } from './types.js';

/** Right-click a message → Apps → Animate image: guild-only, like /video. */
export const data = new ContextMenuCommandBuilder()
  .setName('Animate image')
  .setType(ApplicationCommandType.Message)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

/** How long the submit waits to look the message up again (the rest of Discord's 3 s is for the job's first write). */
export const lookupMs = 1000;
const rememberedMax = 2000;
const rememberedMs = 24 * 60 * 60 * 1000;

/**
 * The pictures picked when menus were opened, by `<channelId>:<messageId>`, until their signed URL expires (at most
 * a day). The submit reads it first: without the privileged Message Content intent, Discord sends a member's
 * attachments to the bot only with the context-menu interaction, not when the bot fetches the message later.
 * After a restart (or past the URL's expiry) the submit fetches the message instead.
 */
class RememberedPictures {
  private readonly entries = new Map<string, { image: ImageRef; until: number }>();

  constructor(private readonly clock: Clock) {}

  remember(key: string, image: ImageRef): void {
    const now = this.clock.now();
    this.entries.delete(key);
    this.entries.set(key, { image, until: Math.min(now + rememberedMs, signedUntil(image.url) ?? Infinity) });
    if (this.entries.size > rememberedMax) this.entries.delete(this.entries.keys().next().value!);
  }

  recall(key: string): ImageRef | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock.now() < entry.until) return entry.image;
    this.entries.delete(key);
    return undefined;
  }
}

/** When a signed Discord CDN URL stops working (its `ex` parameter, hex seconds), if it says. */
export function signedUntil(url: string): number | undefined {
  try {
    const ex = new URL(url).searchParams.get('ex');
    return ex && /^[0-9a-f]+$/i.test(ex) ? parseInt(ex, 16) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The menu and its form's submit, sharing what the menu saw (one per bot: nothing is shared between bots).
 * The menu only reads the interaction's own data before the form, which must be its first answer within 3 s.
 */
export function createAnimateImage(clock: Clock): { menu: MessageCommand; modal: ComponentRoute<ModalSubmitInteraction> } {
  const remembered = new RememberedPictures(clock);
  const menu: MessageCommand = {
    kind: 'message',
    data,
    async execute(interaction, ctx) {
      if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
      const lacking = missingPermission(interaction);
      if (lacking) return refuse(interaction, lacking, ctx.log);
      const target = interaction.targetMessage;
      const pick = pickImage(picturesOfMessage(target));
      if (!pick.ok) return refuse(interaction, pick.refusal, ctx.log);
      remembered.remember(`${target.channelId}:${target.id}`, pick.image);
      await interaction.showModal(promptModal({ customId: animateCustomId(target.channelId, target.id), title: 'Animate image' }));
    },
  };
  const modal: ComponentRoute<ModalSubmitInteraction> = {
    prefix: animatePrefix,
    async handle(interaction, rest, ctx) {
      if (!interaction.inGuild()) return refuse(interaction, 'guild-only', ctx.log);
      const target = parseAnimateRest(rest);
      // The form comes from the menu used in the message's own channel: a custom_id naming any other channel (of
      // another server, perhaps) is not ours to follow, nor to look up with the bot's access.
      if (!target || target.channelId !== interaction.channelId) return refuse(interaction, 'image-not-found', ctx.log);
      const prompts = promptsOf(interaction);
      if (!prompts.ok) return refuse(interaction, prompts.refusal, ctx.log);
      const key = `${target.channelId}:${target.messageId}`;
      const recalled = remembered.recall(key);
      const pick: ImagePick | undefined = recalled ? { ok: true, image: recalled } : await lookUp(interaction, target, ctx);
      if (!pick) return refuse(interaction, 'image-not-found', ctx.log);
      if (!pick.ok) return refuse(interaction, pick.refusal === 'no-image' ? 'image-not-found' : pick.refusal, ctx.log);
      const { prompt, negativePrompt } = prompts;
      await startJob(interaction, { request: { prompt, ...(negativePrompt ? { negativePrompt } : {}) }, image: pick.image }, ctx);
    },
  };
  return { menu, modal };
}

/** The message fetched again, within `lookupMs`; undefined when Discord does not give it (gone, no access, slow). */
async function lookUp(
  interaction: ModalSubmitInteraction,
  target: { channelId: string; messageId: string },
  ctx: CommandContext,
): Promise<ImagePick | undefined> {
  const waited = new AbortController();
  try {
    const fetched = interaction.client.rest
      .get(Routes.channelMessage(target.channelId, target.messageId), { signal: waited.signal })
      .then((message) => pickImage(picturesOfApiMessage(message as APIMessage)));
    const slow = ctx.clock.sleep(lookupMs, waited.signal).then(() => undefined, () => undefined);
    return await Promise.race([fetched, slow]);
  } catch (err) {
    ctx.log.info({ err, channelId: target.channelId, messageId: target.messageId }, 'animate target not readable');
    return undefined;
  } finally {
    waited.abort(new Error('look-up over'));
  }
}
