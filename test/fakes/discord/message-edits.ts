import type { FakeDiscordState, InteractionRecord, RecordedMessage } from './state.js';

/**
 * A component interaction's `@original` is the message its button is on. When that message is a channel message,
 * another interaction's response or one of its follow-ups, an edit through the component's token shows there too.
 */
export function propagateEdit(state: FakeDiscordState, source: InteractionRecord, version: RecordedMessage): void {
  const channelMessage = state.findChannelMessage(version.id);
  if (channelMessage) {
    Object.assign(channelMessage, { ...version, channelId: channelMessage.channelId });
    channelMessage.history.push(version);
  }
  for (const other of state.interactions.values()) {
    if (other === source) continue;
    if (other.original?.id === version.id) {
      other.original = version;
      other.originalHistory.push(version);
    }
    const followUp = other.followUps.find((f) => f.id === version.id);
    if (followUp) {
      Object.assign(followUp, version);
      followUp.history.push(version);
    }
  }
}
