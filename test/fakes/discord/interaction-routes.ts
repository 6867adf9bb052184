import type { FakeEnv } from './env.js';
import { uploadStore } from './env.js';
import { errors, type Reply } from './http.js';
import { buildVersion, isMessageBody, isRecordedMessage, parseMessageBody, type MessageBody } from './message-body.js';
import { toApiMessage } from './payloads.js';
import type { Route, RouteContext } from './router.js';
import { MessageFlag, type InteractionRecord, type ModalData, type RecordedMessage } from './state.js';
import { interactionType, responseMessageType } from './message-lookup.js';
import { propagateEdit } from './message-edits.js';
import { checkBody } from './schema-check.js';

/** Flags a sender may set on a new message: ephemeral, suppress embeds, suppress notifications, components v2. */
const SETTABLE_FLAGS = MessageFlag.Ephemeral | 4 | 4096 | MessageFlag.ComponentsV2;

function apiMessage(env: FakeEnv, record: InteractionRecord, message: RecordedMessage, history: RecordedMessage[]): Reply {
  const created = history.find((m) => m.id === message.id) ?? message;
  return {
    status: 200,
    json: toApiMessage(message, created, env.bot, {
      guildId: record.guildId,
      webhook: true,
      type: responseMessageType(record, message.id),
    }),
  };
}

function callback(env: FakeEnv): (ctx: RouteContext) => Promise<Reply> {
  return async (ctx) => {
    const [id = '', token = ''] = ctx.params;
    const record = env.state.interactions.get(id);
    const parsed = await parseMessageBody(ctx.headers['content-type'], ctx.body);
    const type = isMessageBody(parsed) && typeof parsed.json.type === 'number' ? parsed.json.type : undefined;
    const answer = (reply: Reply): Reply => {
      if (record) {
        env.state.ackLatencies.push({
          interactionId: record.id,
          dispatchedAt: record.dispatchedAt,
          receivedAt: ctx.now,
          latencyMs: ctx.now - record.dispatchedAt,
          callbackType: type,
          accepted: reply.status < 300,
          status: reply.status,
        });
      }
      return reply;
    };
    if (!record || record.token !== token || ctx.now - record.dispatchedAt > env.ackDeadlineMs) {
      return answer(errors.unknownInteraction());
    }
    if (record.ackType !== undefined) return answer(errors.alreadyAcknowledged());
    if (!isMessageBody(parsed)) return answer(parsed);
    const allowed = allowedCallbacks(record);
    if (type === undefined || !allowed.includes(type)) {
      const refusal = errors.invalidFormBody('type', 'BASE_TYPE_CHOICES', `Value must be one of {${allowed.join(', ')}}.`);
      const violation = `callback type ${String(type)} is not allowed for this ${record.kind} interaction (${allowed.join(', ')})`;
      return answer({ ...refusal, violation });
    }
    const messageFlags = type === 7 ? record.original?.flags : undefined;
    const refused = checkBody('callback', parsed.json, { callbackType: type, messageFlags });
    if (refused) return answer(refused);
    const data = (parsed.json.data ?? {}) as Record<string, unknown>;
    const requested = typeof data.flags === 'number' ? data.flags : 0;
    const applied = applyCallback(env, record, type, { json: data, files: parsed.files }, requested, ctx.now);
    if (applied) return answer(applied);
    record.ackType = type;
    record.ackAt = ctx.now;
    record.ackBody = parsed.json;
    if (ctx.query.get('with_response') !== 'true') return answer({ status: 204 });
    return answer({
      status: 200,
      json: {
        interaction: {
          id: record.id,
          type: interactionType(record),
          response_message_id: record.original?.id,
          response_message_loading: type === 5,
          response_message_ephemeral: record.ephemeral,
        },
        resource: {
          type,
          ...(record.original && (type === 4 || type === 7)
            ? { message: apiMessage(env, record, record.original, record.originalHistory).json }
            : {}),
        },
      },
    });
  };
}

/** Changes the original response for callback `type`; returns a Reply only when the body is refused. */
function applyCallback(
  env: FakeEnv,
  record: InteractionRecord,
  type: number,
  body: MessageBody,
  requestedFlags: number,
  now: number,
): Reply | undefined {
  if (type === 6) return undefined;
  if (type === 8) {
    record.choices = (body.json.choices ?? []) as { name: string; value: string | number }[];
    return undefined;
  }
  if (type === 9) {
    if (body.files.length > 0) return errors.invalidFormBody('data', 'BASE_TYPE_BAD', 'Files are not allowed here.');
    record.modal = body.json as unknown as ModalData;
    return undefined;
  }
  // A reply to a press or a modal submit is a new message: it becomes the interaction's @original.
  if ((type === 4 || type === 5) && record.message !== undefined && record.original?.id === record.message.id) {
    record.original = undefined;
    record.originalHistory = [];
  }
  if (type === 5) {
    if (body.files.length > 0) return errors.invalidFormBody('data', 'BASE_TYPE_BAD', 'Files are not allowed here.');
    const flags = (requestedFlags & MessageFlag.Ephemeral) | MessageFlag.Loading;
    const loading: RecordedMessage = {
      id: env.newId(),
      channelId: record.channelId,
      content: '',
      components: [],
      embeds: [],
      attachments: [],
      flags,
      allowedMentions: undefined,
      at: now,
    };
    record.ephemeral = (flags & MessageFlag.Ephemeral) !== 0;
    record.original = loading;
    record.originalHistory.push(loading);
    return undefined;
  }
  const previous = type === 7 ? record.original : undefined;
  const version = buildVersion(previous, body, {
    id: previous?.id ?? env.newId(),
    channelId: record.channelId,
    at: now,
    flags: previous ? previous.flags : requestedFlags & SETTABLE_FLAGS,
    sizeLimit: record.attachmentSizeLimit,
    store: uploadStore(env, record.channelId),
  });
  if (!isRecordedMessage(version)) return version;
  if (type === 4) record.ephemeral = (version.flags & MessageFlag.Ephemeral) !== 0;
  record.original = version;
  record.originalHistory.push(version);
  if (type === 7) propagateEdit(env.state, record, version);
  return undefined;
}

/**
 * Callback types each interaction may answer with ([RR] callback table): a modal (9) only as the first answer to a
 * command or a press, never to a modal submit; updates (6, 7) only where there is a message to update.
 */
function allowedCallbacks(record: InteractionRecord): number[] {
  switch (record.kind) {
    case 'command':
      return [4, 5, 9];
    case 'component':
      return [4, 5, 6, 7, 9];
    case 'modal':
      return record.message ? [4, 5, 6, 7] : [4, 5];
    case 'autocomplete':
      return [8];
  }
}

/** The interaction behind a webhook token, or Discord's refusal: unknown, wrong app, or expired. */
function byWebhookToken(env: FakeEnv, appId: string, token: string, now: number): InteractionRecord | Reply {
  const record = env.state.interactionsByToken.get(token);
  if (!record) return errors.invalidWebhookToken();
  if (record.applicationId !== appId) return errors.unknownWebhook();
  if (now - record.dispatchedAt > env.tokenLifetimeMs) {
    return env.expiredTokenCode === 10015 ? errors.unknownWebhook() : errors.invalidWebhookToken();
  }
  return record;
}

function isRecord(value: InteractionRecord | Reply): value is InteractionRecord {
  return 'token' in value;
}

async function editMessage(env: FakeEnv, ctx: RouteContext, record: InteractionRecord, messageId: string): Promise<Reply> {
  const isOriginal = messageId === '@original' || messageId === record.original?.id;
  const followUp = isOriginal ? undefined : record.followUps.find((f) => f.id === messageId);
  const previous = isOriginal ? record.original : followUp;
  if (!previous) return errors.unknownMessage();
  const parsed = await parseMessageBody(ctx.headers['content-type'], ctx.body);
  if (!isMessageBody(parsed)) return parsed;
  const refused = checkBody('webhook-edit', parsed.json, { messageFlags: previous.flags });
  if (refused) return refused;
  const version = buildVersion(previous, parsed, {
    id: previous.id,
    channelId: previous.channelId,
    at: ctx.now,
    flags: previous.flags & ~MessageFlag.Loading,
    sizeLimit: record.attachmentSizeLimit,
    store: uploadStore(env, previous.channelId),
  });
  if (!isRecordedMessage(version)) return version;
  if (followUp) {
    Object.assign(followUp, version);
    followUp.history.push(version);
    return apiMessage(env, record, version, followUp.history);
  }
  record.original = version;
  record.originalHistory.push(version);
  propagateEdit(env.state, record, version);
  return apiMessage(env, record, version, record.originalHistory);
}

async function createFollowUp(env: FakeEnv, ctx: RouteContext, record: InteractionRecord): Promise<Reply> {
  if (record.ackType === undefined) return errors.unknownWebhook();
  const parsed = await parseMessageBody(ctx.headers['content-type'], ctx.body);
  if (!isMessageBody(parsed)) return parsed;
  const refused = checkBody('webhook-create', parsed.json);
  if (refused) return refused;
  const loading = record.original && (record.original.flags & MessageFlag.Loading) !== 0 ? record.original : undefined;
  const requested = typeof parsed.json.flags === 'number' ? parsed.json.flags : 0;
  const version = buildVersion(loading, parsed, {
    id: loading?.id ?? env.newId(),
    channelId: record.channelId,
    at: ctx.now,
    flags: loading ? loading.flags & ~MessageFlag.Loading : requested & SETTABLE_FLAGS,
    sizeLimit: record.attachmentSizeLimit,
    store: uploadStore(env, record.channelId),
  });
  if (!isRecordedMessage(version)) return version;
  if (loading) {
    record.original = version;
    record.originalHistory.push(version);
  }
  record.followUps.push({ ...version, history: [version], editedLoadingOriginal: loading !== undefined });
  return apiMessage(env, record, version, loading ? record.originalHistory : [version]);
}

function getMessage(env: FakeEnv, record: InteractionRecord, messageId: string): Reply {
  if (messageId === '@original' || messageId === record.original?.id) {
    return record.original ? apiMessage(env, record, record.original, record.originalHistory) : errors.unknownMessage();
  }
  const followUp = record.followUps.find((f) => f.id === messageId);
  return followUp ? apiMessage(env, record, followUp, followUp.history) : errors.unknownMessage();
}

function deleteMessage(record: InteractionRecord, messageId: string): Reply {
  if (messageId === '@original' || messageId === record.original?.id) {
    if (!record.original) return errors.unknownMessage();
    record.original = undefined;
    return { status: 204 };
  }
  const index = record.followUps.findIndex((f) => f.id === messageId);
  if (index < 0) return errors.unknownMessage();
  record.followUps.splice(index, 1);
  return { status: 204 };
}

const WEBHOOK = String.raw`^/webhooks/(\d+)/([^/]+)`;
const MESSAGE = String.raw`/messages/(@original|%40original|\d+)$`;

function withRecord(
  env: FakeEnv,
  run: (ctx: RouteContext, record: InteractionRecord, messageId: string) => Reply | Promise<Reply>,
): (ctx: RouteContext) => Reply | Promise<Reply> {
  return (ctx) => {
    const [appId = '', token = '', rawMessageId = ''] = ctx.params;
    const record = byWebhookToken(env, appId, token, ctx.now);
    if (!isRecord(record)) return record;
    // The interaction's messages went with their channel (which code Discord answers here is unverified).
    if (env.state.channels.get(record.channelId)?.deleted) return errors.unknownChannel();
    return run(ctx, record, rawMessageId === '%40original' ? '@original' : rawMessageId);
  };
}

/** Interaction callback and the interaction webhook routes; none of them take an Authorization header. */
export function interactionRoutes(env: FakeEnv): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      name: 'POST /interactions/:id/:token/callback',
      auth: 'none',
      handle: callback(env),
    },
    {
      method: 'POST',
      pattern: new RegExp(`${WEBHOOK}$`),
      name: 'POST /webhooks/:app/:token',
      auth: 'none',
      handle: withRecord(env, (ctx, record) => createFollowUp(env, ctx, record)),
    },
    {
      method: 'GET',
      pattern: new RegExp(WEBHOOK + MESSAGE),
      name: 'GET /webhooks/:app/:token/messages/:message',
      auth: 'none',
      handle: withRecord(env, (_ctx, record, messageId) => getMessage(env, record, messageId)),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(WEBHOOK + MESSAGE),
      name: 'PATCH /webhooks/:app/:token/messages/:message',
      auth: 'none',
      handle: withRecord(env, (ctx, record, messageId) => editMessage(env, ctx, record, messageId)),
    },
    {
      method: 'DELETE',
      pattern: new RegExp(WEBHOOK + MESSAGE),
      name: 'DELETE /webhooks/:app/:token/messages/:message',
      auth: 'none',
      handle: withRecord(env, (_ctx, record, messageId) => deleteMessage(record, messageId)),
    },
  ];
}
