import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Command, CommandContext, MessageCommand } from '../../commands/types.js';
import type { CancelBy } from '../queue/cancel.js';
import { refusalText, type RefusalCode } from '../refusals.js';
import { parseCancelCustomId } from './custom-id.js';
import { canManageGuild, holdsRegistered, registeredPermissions } from './member-permissions.js';

/** What the Cancel button needs from the queue. */
export interface CancelPort {
  /** Synchronous verdict, so a refusal can be ephemeral and within Discord's 3 seconds. */
  checkCancel(jobId: string, by: CancelBy): 'ok' | RefusalCode;
  cancel(jobId: string, by: CancelBy): Promise<unknown>;
}

/**
 * A button or modal of ours, routed by the custom_id's prefix only (`<prefix>:<rest>`), so messages from before a
 * restart keep working: no in-memory collector.
 */
export interface ComponentRoute<I> {
  prefix: string;
  handle(interaction: I, rest: string, ctx: CommandContext): Promise<void>;
}

/** Routes each interaction to its handler. Nothing thrown here reaches discord.js: faults are logged once. */
export function createInteractionRouter(deps: {
  commands: readonly Command[];
  messageCommands?: readonly MessageCommand[];
  buttons?: readonly ComponentRoute<ButtonInteraction>[];
  modals?: readonly ComponentRoute<ModalSubmitInteraction>[];
  ctx: CommandContext;
  cancel: CancelPort;
  log: Logger;
}): (interaction: Interaction) => Promise<void> {
  const byName = new Map(deps.commands.map((c) => [c.data.name, c]));
  const menusByName = new Map((deps.messageCommands ?? []).map((c) => [c.data.name, c]));
  const required = new Map([...deps.commands, ...(deps.messageCommands ?? [])].map((c) => [c.data.name, registeredPermissions(c.data)]));
  /**
   * Every subcommand of a command registered with permissions (only /video-admin: Manage Server) is refused to a
   * member without them, before anything is read or deferred: the refusal tells nothing of the server's settings.
   */
  const mayRun = async (interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction): Promise<boolean> => {
    if (holdsRegistered(interaction, required.get(interaction.commandName))) return true;
    const refusal = 'manage-server-only' satisfies RefusalCode;
    deps.log.info({ command: interaction.commandName, guildId: interaction.guildId, userId: interaction.user.id, refusal }, 'command refused');
    await replyEphemeral(interaction, refusalText(refusal), deps.log);
    return false;
  };
  const routeOf = <I>(routes: readonly ComponentRoute<I>[] | undefined, customId: string) => {
    const at = customId.indexOf(':');
    const prefix = at < 0 ? customId : customId.slice(0, at);
    const route = routes?.find((r) => r.prefix === prefix);
    return route && { route, rest: at < 0 ? '' : customId.slice(at + 1) };
  };
  return async (interaction) => {
    try {
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) await replyEphemeral(interaction, 'That command is not available any more.', deps.log);
        else if (await mayRun(interaction)) await command.execute(interaction, deps.ctx);
      } else if (interaction.isAutocomplete()) {
        await byName.get(interaction.commandName)?.autocomplete?.(interaction, deps.ctx);
      } else if (interaction.isMessageContextMenuCommand()) {
        const command = menusByName.get(interaction.commandName);
        if (!command) await replyEphemeral(interaction, 'That command is not available any more.', deps.log);
        else if (await mayRun(interaction)) await command.execute(interaction, deps.ctx);
      } else if (interaction.isButton()) {
        const jobId = parseCancelCustomId(interaction.customId);
        const found = jobId ? undefined : routeOf(deps.buttons, interaction.customId);
        if (jobId) await onCancel(interaction, jobId, deps);
        else if (found) await found.route.handle(interaction, found.rest, deps.ctx);
      } else if (interaction.isModalSubmit()) {
        const found = routeOf(deps.modals, interaction.customId);
        if (found) await found.route.handle(interaction, found.rest, deps.ctx);
        else await replyEphemeral(interaction, 'That form is not available any more.', deps.log);
      }
    } catch (err) {
      deps.log.error({ err, interactionId: interaction.id, guildId: interaction.guildId }, 'interaction failed');
      if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
        await replyEphemeral(interaction, `Something went wrong (reference ${interaction.id}).`, deps.log);
      }
    }
  };
}

async function onCancel(
  interaction: ButtonInteraction,
  jobId: string,
  deps: { cancel: CancelPort; log: Logger },
): Promise<void> {
  if (!interaction.inGuild()) {
    await replyEphemeral(interaction, refusalText('job-not-found'), deps.log);
    return;
  }
  const by: CancelBy = {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    canManageGuild: canManageGuild(interaction),
  };
  const verdict = deps.cancel.checkCancel(jobId, by);
  if (verdict !== 'ok') {
    deps.log.info({ jobId, userId: by.userId, refusal: verdict }, 'cancel refused');
    await replyEphemeral(interaction, refusalText(verdict), deps.log);
    return;
  }
  await interaction.deferUpdate();
  await deps.cancel.cancel(jobId, by);
}

async function replyEphemeral(
  interaction: RepliableInteraction,
  content: string,
  log: Logger,
): Promise<void> {
  try {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  } catch (err) {
    log.warn({ err, interactionId: interaction.id }, 'ephemeral reply failed');
  }
}
