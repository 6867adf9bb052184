import type { FakeEnv } from './env.js';
import type { FakeGateway } from './gateway.js';
import {
  DEFAULT_ATTACHMENT_SIZE_LIMIT,
  buttonPayload,
  slashCommandPayload,
  type ButtonMessageInput,
  type ButtonPressInput,
  type InteractionContextInput,
  type InteractionHandle,
  type InteractionScene,
  type SlashCommandInput,
} from './interaction-payloads.js';
import { mayUseCommand } from './command-permissions.js';
import { DEFAULT_MEMBER_PERMISSIONS, findMember, memberPermissions } from './guild-model.js';
import type { FakeUser } from './payloads.js';
import { newInteractionToken } from './snowflake.js';
import { rememberUser, type InteractionRecord, type ModalData, type RecordedMessage, type StoredCommand } from './state.js';
import { findAnyMessage, toApiFound } from './message-lookup.js';
import {
  messageCommandPayload,
  modalSubmitPayload,
  submittedComponents,
  type AutocompleteInput,
  type MessageCommandInput,
  type MessageRef,
  type ModalSubmitInput,
} from './menu-modal-payloads.js';
import { toApiMessage } from './payloads.js';

export interface InteractionDispatcher {
  slashCommand(input: SlashCommandInput): InteractionHandle;
  autocomplete(input: AutocompleteInput): InteractionHandle;
  messageCommand(input: MessageCommandInput): InteractionHandle;
  button(input: ButtonPressInput): InteractionHandle;
  modalSubmit(input: ModalSubmitInput): InteractionHandle;
}

/** Builds INTERACTION_CREATE payloads, records them, and sends them down the gateway. */
export function createInteractionDispatcher(
  env: FakeEnv,
  gateway: FakeGateway,
  defaults: { guildId: string; channelId: string },
): InteractionDispatcher {
  const defaultUser: FakeUser = { id: env.newId(), username: 'member' };
  const commandIds = new Map<string, string>();

  function dmChannelFor(userId: string): string {
    const existing = [...env.state.channels.values()].find((c) => c.type === 1 && c.recipientId === userId);
    if (existing) return existing.id;
    const id = env.newId();
    env.state.channels.set(id, { id, type: 1, guildId: undefined, name: undefined, recipientId: userId });
    return id;
  }

  function scene(input: InteractionContextInput): InteractionScene {
    const dm = input.context === 'dm';
    const guildId = dm ? undefined : (input.guildId ?? defaults.guildId);
    const guild = env.guilds.find((g) => g.id === guildId);
    const member = input.user?.id === undefined ? undefined : findMember(guild, input.user.id);
    const user: FakeUser = { ...defaultUser, ...member?.user, ...input.user };
    rememberUser(env.state, user);
    const channelId = dm
      ? (input.channelId ?? dmChannelFor(user.id))
      : (input.channelId ?? (input.guildId ? guild?.channels[0]?.id : undefined) ?? defaults.channelId);
    const roles = input.roles ?? member?.roles ?? [];
    const computed = guild && member ? memberPermissions(guild, member, roles) : DEFAULT_MEMBER_PERMISSIONS;
    const permissions = String(input.permissions ?? computed);
    const joinedAt = new Date(env.clock.now() - 86_400_000).toISOString();
    return {
      id: env.newId(),
      token: newInteractionToken(),
      bot: env.bot,
      user,
      guildId,
      channelId,
      channelName: guild?.channels.find((c) => c.id === channelId)?.name,
      channelType: env.state.channels.get(channelId)?.type ?? (dm ? 1 : 0),
      input: { ...input, appPermissions: input.appPermissions ?? env.state.channels.get(channelId)?.botPermissions },
      joinedAt,
      guild,
      member,
      roles,
      permissions,
      optionScene: {
        guild,
        channelId,
        joinedAt,
        invokerPermissions: permissions,
        channel: (id) => env.state.channels.get(id),
        user: (id) => env.state.users.get(id) ?? { id, username: `user-${id.slice(-4)}` },
      },
    };
  }

  function record(s: InteractionScene, extra: Partial<InteractionRecord>): InteractionRecord {
    return {
      id: s.id,
      token: s.token,
      applicationId: env.bot.applicationId,
      kind: 'command',
      commandName: undefined,
      customId: undefined,
      guildId: s.guildId,
      channelId: s.channelId,
      userId: s.user.id,
      attachmentSizeLimit: s.input.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
      dispatchedAt: env.clock.now(),
      ackType: undefined,
      ackAt: undefined,
      ephemeral: false,
      ackBody: undefined,
      original: undefined,
      originalHistory: [],
      followUps: [],
      ...extra,
    };
  }

  function send(s: InteractionScene, entry: InteractionRecord, payload: unknown): InteractionHandle {
    env.state.addInteraction(entry);
    gateway.dispatch('INTERACTION_CREATE', payload);
    return { id: s.id, token: s.token, applicationId: env.bot.applicationId, sentAt: entry.dispatchedAt };
  }

  function findCommand(guildId: string | undefined, name: string, type: number) {
    const match = (c: StoredCommand): boolean => c.name === name && c.type === type;
    const command = env.state.commands.get(guildId ?? '')?.find(match) ?? env.state.commands.get('')?.find(match);
    const key = `${type}:${name}`;
    const id = command?.id ?? commandIds.get(key) ?? env.newId();
    commandIds.set(key, id);
    return { command, id };
  }

  /**
   * Discord sends a guild command only to a member it shows the command to: `default_member_permissions`, unless the
   * server's Integrations settings say otherwise (setCommandPermissions). Sending one it would not show is the
   * test's mistake.
   */
  function assertShown(s: InteractionScene, command: StoredCommand | undefined, id: string, name: string): void {
    if (!command || s.guildId === undefined) return;
    const entries = env.state.commandPermissions.get(`${s.guildId}:${id}`) ?? [];
    const who = { guildId: s.guildId, channelId: s.channelId, userId: s.user.id, roles: s.roles, permissions: BigInt(s.permissions) };
    if (!mayUseCommand(command, who, entries)) {
      throw new Error(
        `fake discord: Discord does not show "${name}" to ${s.user.username} (permissions ${s.permissions}, the command needs ` +
          `${command.default_member_permissions}, and no Integrations entry lets them in): see setCommandPermissions`,
      );
    }
  }

  /** The message as Discord would include it, from the fake's state; a message unknown to the fake as given. */
  function messagePayload(ref: ButtonMessageInput | MessageRef, channelId: string): { api: Record<string, unknown>; recorded: RecordedMessage } {
    const id = typeof ref === 'string' ? ref : ref.id;
    const found = findAnyMessage(env, id);
    if (found) return { api: toApiFound(env, found), recorded: found.message };
    if (typeof ref === 'string' || !('channelId' in ref || 'content' in ref || 'components' in ref)) {
      throw new Error(`fake discord: no message ${id}`);
    }
    const recorded = toRecorded(ref, channelId, env.clock.now());
    return { api: toApiMessage(recorded, recorded, env.bot, { guildId: env.state.channels.get(recorded.channelId)?.guildId }), recorded };
  }

  return {
    slashCommand(input) {
      const s = scene(input);
      const { command, id } = findCommand(s.guildId, input.name, 1);
      assertShown(s, command, id, input.name);
      const payload = slashCommandPayload(s, input, id, command);
      return send(s, record(s, { kind: 'command', commandType: 1, commandName: input.name }), payload);
    },
    autocomplete(input) {
      const s = scene(input);
      const { command, id } = findCommand(s.guildId, input.name, 1);
      const payload = slashCommandPayload(s, input, id, command, input.focused);
      return send(s, record(s, { kind: 'autocomplete', commandType: 1, commandName: input.name }), payload);
    },
    messageCommand(input) {
      const targetId = typeof input.message === 'string' ? input.message : input.message.id;
      const found = findAnyMessage(env, targetId);
      if (!found) throw new Error(`fake discord: no message ${targetId} to run ${input.name} on`);
      const s = scene({ ...input, channelId: input.channelId ?? found.message.channelId });
      const { command, id } = findCommand(s.guildId, input.name, 3);
      assertShown(s, command, id, input.name);
      const payload = messageCommandPayload(s, input, id, command, toApiFound(env, found));
      return send(s, record(s, { kind: 'command', commandType: 3, commandName: input.name, targetId }), payload);
    },
    button(input) {
      const s = scene({ ...input, channelId: input.channelId ?? input.message.channelId });
      const { api, recorded } = messagePayload(input.message, s.channelId);
      const entry = record(s, {
        kind: 'component',
        customId: input.customId,
        message: recorded,
        original: recorded,
        originalHistory: [recorded],
        ephemeral: (recorded.flags & 64) !== 0,
      });
      return send(s, entry, buttonPayload(s, input.customId, api));
    },
    modalSubmit(input) {
      const fromId = input.from === undefined ? undefined : typeof input.from === 'string' ? input.from : input.from.id;
      const from = fromId === undefined ? undefined : env.state.findInteraction(fromId);
      if (fromId !== undefined && !from?.modal) throw new Error(`fake discord: interaction ${fromId} showed no modal`);
      const customId = input.customId ?? from?.modal?.custom_id;
      if (customId === undefined) throw new Error('fake discord: submitModal needs `customId` or `from`');
      const shown = from?.modal ?? latestModal(env, customId);
      const ref: MessageRef | undefined = input.message ?? (from?.kind === 'component' ? from.message : undefined);
      const channelId = input.channelId ?? from?.channelId;
      const s = scene({ ...input, ...(channelId ? { channelId } : {}) });
      const message = ref === undefined ? undefined : messagePayload(ref, s.channelId);
      const payload = modalSubmitPayload(s, customId, submittedComponents(shown, input.fields), message?.api);
      const entry = record(s, {
        kind: 'modal',
        customId,
        ...(message
          ? { message: message.recorded, original: message.recorded, originalHistory: [message.recorded] }
          : {}),
        ephemeral: message ? (message.recorded.flags & 64) !== 0 : false,
      });
      return send(s, entry, payload);
    },
  };
}

/** The last modal shown with this custom_id, to submit in its shape. */
function latestModal(env: FakeEnv, customId: string): ModalData | undefined {
  let found: ModalData | undefined;
  for (const record of env.state.interactions.values()) if (record.modal?.custom_id === customId) found = record.modal;
  return found;
}

function toRecorded(m: ButtonMessageInput, channelId: string, now: number): RecordedMessage {
  return {
    id: m.id,
    channelId: m.channelId ?? channelId,
    content: m.content ?? '',
    components: m.components ?? [],
    embeds: [],
    attachments: m.attachments ?? [],
    flags: m.flags ?? 0,
    allowedMentions: undefined,
    at: now,
  };
}
