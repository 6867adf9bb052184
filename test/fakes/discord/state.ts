import type { CommandPermission } from './command-permissions.js';
import type { FakeUser } from './payloads.js';

/** A file as a member would see it on a message. */
export interface RecordedAttachment {
  id: string;
  filename: string;
  contentType: string | null;
  size: number;
  bytes: Buffer;
  url: string;
  /** For images whose size the fake could read (PNG, GIF), or that a test gave. */
  width?: number;
  height?: number;
}

/** One version of a message (a send or an edit), stamped with the fake's clock time. */
export interface RecordedMessage {
  id: string;
  channelId: string;
  content: string;
  components: unknown[];
  embeds: unknown[];
  attachments: RecordedAttachment[];
  flags: number;
  allowedMentions: unknown;
  /** Clock time of this version. */
  at: number;
  /** Who wrote it, for a member's message from `postMessage`; absent for the bot's own messages. */
  author?: FakeUser;
}

/** A message plus every version it went through, oldest first (the last equals the message itself). */
export interface MessageWithHistory extends RecordedMessage {
  history: RecordedMessage[];
}

export interface FollowUpRecord extends MessageWithHistory {
  /**
   * True when the follow-up arrived while the deferred "thinking" message was still showing: Discord then edits
   * that message instead of creating a new one (deprecated behaviour, kept because members see it).
   */
  editedLoadingOriginal: boolean;
}

export const MessageFlag = { Ephemeral: 64, Loading: 128, ComponentsV2: 32768 } as const;

/** Everything the fake saw happen to one interaction. */
export interface InteractionRecord {
  id: string;
  token: string;
  applicationId: string;
  /** command: slash or context menu (type 2); component: a button (3); autocomplete (4); modal: a modal submit (5). */
  kind: 'command' | 'component' | 'autocomplete' | 'modal';
  /** For commands: 1 slash, 3 message context menu. */
  commandType?: number;
  commandName: string | undefined;
  /** The button's custom_id, or the submitted modal's. */
  customId: string | undefined;
  /** For message context-menu commands: the target message's id. */
  targetId?: string;
  /** For button presses and modal submits from a message: that message as it was then. */
  message?: RecordedMessage;
  /** The modal shown (callback type 9): `{custom_id, title, components}` as the bot sent it. */
  modal?: ModalData;
  /** The autocomplete choices answered (callback type 8). */
  choices?: { name: string; value: string | number }[];
  guildId: string | undefined;
  channelId: string;
  userId: string;
  attachmentSizeLimit: number;
  /** Clock time INTERACTION_CREATE was sent. */
  dispatchedAt: number;
  /** Callback type that was accepted (4–9), if any. */
  ackType: number | undefined;
  /** Clock time the accepted callback arrived. */
  ackAt: number | undefined;
  ephemeral: boolean;
  /** The accepted callback's JSON (`payload_json` for multipart). */
  ackBody: unknown;
  /** The original response as it stands; while deferred it has the Loading flag (128) and no content. */
  original: RecordedMessage | undefined;
  /** Every version of the original response, in order. */
  originalHistory: RecordedMessage[];
  followUps: FollowUpRecord[];
}

/** A modal as the bot showed it (callback type 9's `data`). */
export interface ModalData {
  custom_id: string;
  title: string;
  components: unknown[];
}

/** One request the fake received; secrets removed. */
export interface RequestRecord {
  method: string;
  /** Path with interaction tokens replaced by `:token`. */
  path: string;
  query: string;
  /** The status answered; 0 when an injected hang never answered it. */
  status: number;
  /** Clock time the request arrived. */
  at: number;
  /** Request headers; `authorization` is redacted. */
  headers: Record<string, string>;
  /** The route that handled it, e.g. `PATCH /webhooks/:app/:token/messages/@original`; undefined when unmatched. */
  route: string | undefined;
  unexpected: boolean;
  /** Why Discord's schema or limits refused the body (answered 400 50035); fails `assertNoUnexpectedRequests`. */
  invalidBody?: string;
  /** Set by `expectInvalidBodies()`: a test that provoked the refusal on purpose has seen it. */
  invalidBodyExpected?: boolean;
}

/** Every callback attempt, accepted or not: the stuff acknowledgement benchmarks are made of. */
export interface AckLatency {
  interactionId: string;
  dispatchedAt: number;
  receivedAt: number;
  latencyMs: number;
  callbackType: number | undefined;
  accepted: boolean;
  status: number;
}

/** An option of a registered command as stored (as sent: description, required, choices, nested options …). */
export interface StoredOption {
  name: string;
  type: number;
  description?: string;
  required?: boolean;
  options?: StoredOption[];
  [key: string]: unknown;
}

/** A registered command as Discord stores and returns it. */
export interface StoredCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  name: string;
  /** 1 slash (chat input), 2 user, 3 message context menu. */
  type: number;
  /** "" for context-menu commands. */
  description: string;
  /** The bitfield as a string (e.g. "32" = Manage Server), or null when everyone may use it. */
  default_member_permissions: string | null;
  /** As sent: 0 guild, 1 bot DM, 2 private channel; absent when not sent. */
  contexts?: number[] | null;
  /** As sent: 0 guild install, 1 user install; absent when not sent. */
  integration_types?: number[];
  options?: StoredOption[];
  [key: string]: unknown;
}

export function withoutHistory(message: MessageWithHistory | RecordedMessage): RecordedMessage {
  const { id, channelId, content, components, embeds, attachments, flags, allowedMentions, at, author } = message;
  const version = { id, channelId, content, components, embeds, attachments, flags, allowedMentions, at };
  return author ? { ...version, author } : version;
}

/** A channel the bot may post in: a guild text channel (type 0) or a DM it opened (type 1). */
export interface FakeChannel {
  id: string;
  type: number;
  guildId: string | undefined;
  name: string | undefined;
  recipientId?: string;
  /**
   * The bot's permissions here: sent as `app_permissions` in interactions from this channel and enforced on its
   * channel routes (View Channel, Send Messages, Attach Files, Read Message History). Default: a fresh invite's.
   */
  botPermissions?: bigint;
  /** Deleted: every route naming it answers 404 10003 Unknown Channel. */
  deleted?: boolean;
}

/** One message created with `enforce_nonce`: a repeat within the window returns it instead of a second message. */
export interface NonceRecord {
  messageId: string;
  at: number;
}

/** The fake's memory. Routes mutate it; the test reads it through FakeDiscord. */
export class FakeDiscordState {
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly channelMessages = new Map<string, MessageWithHistory[]>();
  readonly requests: RequestRecord[] = [];
  readonly ackLatencies: AckLatency[] = [];
  /** Keyed by guild id, or '' for global commands. */
  readonly commands = new Map<string, StoredCommand[]>();
  /** Channels the bot may post in: guild text channels and DM channels it opened. */
  readonly channels = new Map<string, FakeChannel>();
  /** Keyed by `<channel>:<nonce>` (Discord checks per author; the fake has one author). */
  readonly nonces = new Map<string, NonceRecord>();
  /** Commands' permissions in a guild (Server Settings → Integrations), keyed by `<guild>:<command id>`. */
  readonly commandPermissions = new Map<string, CommandPermission[]>();
  /** Every user the fake has seen (members, interaction users, message authors), for resolved data. */
  readonly users = new Map<string, FakeUser>();

  addInteraction(record: InteractionRecord): void {
    this.interactions.set(record.id, record);
    this.interactionsByToken.set(record.token, record);
  }

  findInteraction(idOrToken: string): InteractionRecord | undefined {
    return this.interactions.get(idOrToken) ?? this.interactionsByToken.get(idOrToken);
  }

  findChannelMessage(messageId: string): MessageWithHistory | undefined {
    for (const list of this.channelMessages.values()) {
      const found = list.find((m) => m.id === messageId);
      if (found) return found;
    }
    return undefined;
  }
}

/** Keeps the latest name of a user the fake has seen. */
export function rememberUser(state: FakeDiscordState, user: FakeUser): void {
  state.users.set(user.id, { ...state.users.get(user.id), ...user });
}
