import type { FakeEnv } from './env.js';
import { toApiMessage, toApiUser } from './payloads.js';
import type { InteractionRecord, MessageWithHistory, RecordedMessage } from './state.js';

/** A message wherever the fake keeps it: a channel message, or an interaction's response or follow-up. */
export interface FoundMessage {
  /** The message as it stands now. */
  message: RecordedMessage;
  /** Its first version (for `timestamp`). */
  created: RecordedMessage;
  /** The interaction it answers, for responses and follow-ups. */
  record: InteractionRecord | undefined;
  guildId: string | undefined;
}

function latest(message: MessageWithHistory): RecordedMessage {
  return message.history.at(-1) ?? message;
}

export function findAnyMessage(env: FakeEnv, messageId: string): FoundMessage | undefined {
  const channelMessage = env.state.findChannelMessage(messageId);
  if (channelMessage) {
    const guildId = env.state.channels.get(channelMessage.channelId)?.guildId;
    return { message: latest(channelMessage), created: channelMessage.history[0] ?? channelMessage, record: undefined, guildId };
  }
  for (const record of env.state.interactions.values()) {
    // A press's (or a modal submit's) `original` starts as the message it came from, which is someone else's.
    if (record.original?.id === messageId && record.message?.id !== messageId) {
      const created = record.originalHistory.find((m) => m.id === messageId) ?? record.original;
      return { message: record.original, created, record, guildId: record.guildId };
    }
    const followUp = record.followUps.find((f) => f.id === messageId);
    if (followUp) return { message: latest(followUp), created: followUp.history[0] ?? followUp, record, guildId: record.guildId };
  }
  for (const record of env.state.interactions.values()) {
    if (record.original?.id === messageId) {
      return { message: record.original, created: record.originalHistory[0] ?? record.original, record, guildId: record.guildId };
    }
  }
  return undefined;
}

/** Interaction types as `interaction_metadata.type` names them. */
export function interactionType(record: InteractionRecord): number {
  return { command: 2, component: 3, autocomplete: 4, modal: 5 }[record.kind];
}

/** The message as Discord sends it in payloads (`message` of a press, `resolved.messages`) and API answers. */
export function toApiFound(env: FakeEnv, found: FoundMessage): Record<string, unknown> {
  const { message, created, record, guildId } = found;
  if (!record) return toApiMessage(message, created, env.bot, { guildId });
  return toApiMessage(message, created, env.bot, {
    guildId,
    webhook: true,
    type: responseMessageType(record, message.id),
    interactionMetadata: interactionMetadata(env, record),
  });
}

/** A command's response is type 20 (slash) or 23 (context menu); follow-ups and component responses are 0 (DEFAULT). */
export function responseMessageType(record: InteractionRecord, messageId: string): number {
  const isResponse = record.original?.id === messageId && !record.followUps.some((f) => f.id === messageId);
  if (!isResponse || record.kind !== 'command') return 0;
  return record.commandType === 1 || record.commandType === undefined ? 20 : 23;
}

/** A response's or follow-up's `interaction_metadata`, as discord.js parses it (it needs the owners and the user). */
export function interactionMetadata(env: FakeEnv, record: InteractionRecord): Record<string, unknown> {
  const user = env.state.users.get(record.userId) ?? { id: record.userId, username: 'member' };
  return {
    id: record.id,
    type: interactionType(record),
    user: toApiUser(user),
    authorizing_integration_owners: { '0': record.guildId ?? '0' },
    ...(record.original && record.original.id !== record.message?.id ? { original_response_message_id: record.original.id } : {}),
    ...(record.kind === 'command' && record.commandName ? { name: record.commandName, command_type: record.commandType ?? 1 } : {}),
    ...(record.kind === 'component' && record.message ? { interacted_message_id: record.message.id } : {}),
    ...(record.commandType === 3 && record.targetId ? { target_message_id: record.targetId } : {}),
  };
}
