import type { FakeEnv } from './env.js';
import type { FakeGateway } from './gateway.js';
import {
  DEFAULT_ATTACHMENT_SIZE_LIMIT,
  buttonPayload,
  slashCommandPayload,
  type ButtonPressInput,
  type InteractionContextInput,
  type InteractionHandle,
  type InteractionScene,
  type SlashCommandInput,
} from './interaction-payloads.js';
import { DEFAULT_MEMBER_PERMISSIONS, findMember, memberPermissions } from './guild-model.js';
import type { FakeUser } from './payloads.js';
import { newInteractionToken } from './snowflake.js';
import { rememberUser, type InteractionRecord, type RecordedMessage } from './state.js';

export interface InteractionDispatcher {
  slashCommand(input: SlashCommandInput): InteractionHandle;
  button(input: ButtonPressInput): InteractionHandle;
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

  return {
    slashCommand(input) {
      const s = scene(input);
      const command =
        env.state.commands.get(s.guildId ?? '')?.find((c) => c.name === input.name) ??
        env.state.commands.get('')?.find((c) => c.name === input.name);
      const commandId = command?.id ?? commandIds.get(input.name) ?? env.newId();
      commandIds.set(input.name, commandId);
      const payload = slashCommandPayload(s, input, commandId, command);
      return send(s, record(s, { kind: 'command', commandName: input.name }), payload);
    },
    button(input) {
      const s = scene({ ...input, channelId: input.channelId ?? input.message.channelId });
      const known = findMessage(env, input.message.id);
      const message = known ?? toRecorded(input, s.channelId, env.clock.now());
      const payload = buttonPayload(s, { ...input, message });
      const entry = record(s, {
        kind: 'component',
        customId: input.customId,
        original: message,
        originalHistory: [message],
        ephemeral: (message.flags & 64) !== 0,
      });
      return send(s, entry, payload);
    },
  };
}

function findMessage(env: FakeEnv, messageId: string): RecordedMessage | undefined {
  const channelMessage = env.state.findChannelMessage(messageId);
  if (channelMessage) return channelMessage.history.at(-1);
  for (const entry of env.state.interactions.values()) {
    if (entry.original?.id === messageId) return entry.original;
    const followUp = entry.followUps.find((f) => f.id === messageId);
    if (followUp) return followUp.history.at(-1);
  }
  return undefined;
}

function toRecorded(input: ButtonPressInput, channelId: string, now: number): RecordedMessage {
  const m = input.message;
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
