import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { DiscordAPIError, HTTPError, Routes } from 'discord.js';
import type { REST } from 'discord.js';
import type { ReplyTarget } from '../queue/job.js';
import type { MessageView } from './progress-view.js';

/** A file on disk to attach: it is streamed from disk to Discord, never read whole into memory. */
export interface UploadFile {
  path: string;
  name: string;
  contentType: string;
}

/** A message as Discord returns it, reduced to what the responder reads back. */
export interface SeenMessage {
  id: string;
  content: string;
  attachments: { filename: string; size?: number }[];
  author?: { id: string };
  /** Action rows with their buttons: a delivered video's Regenerate button names its job. */
  components?: { components?: { custom_id?: string }[] }[];
  /** Message flags (64: ephemeral, 128: a deferred reply still loading). */
  flags?: number;
  /** Set on interaction responses and follow-ups: the interaction that made them. */
  interaction_metadata?: { id: string };
}

export interface SendOptions {
  file?: UploadFile;
  signal?: AbortSignal;
  /**
   * Channel messages only: sent with `enforce_nonce`, so the same nonce within a few minutes returns the message
   * already made instead of a second one (a resend after a timeout or a 5xx that had in fact landed).
   */
  nonce?: string;
}

/**
 * The multipart body Discord expects (`files[0]` and `payload_json`), built by hand so that the file part is a
 * disk-backed Blob: @discordjs/rest would copy a Buffer into a Blob, holding the video twice.
 */
async function withFile(view: object, file: UploadFile): Promise<FormData> {
  const form = new FormData();
  form.append('files[0]', await openAsBlob(file.path, { type: file.contentType }), file.name);
  form.append('payload_json', JSON.stringify({ ...view, attachments: [{ id: '0' }] }));
  return form;
}

/**
 * The calls the responder makes. Webhook routes need only the application id and the token (no Interaction
 * object), so they work after a restart; they carry no bot auth and need no channel permission. Channel messages use
 * the bot's token.
 */
export interface DiscordApi {
  /** The interaction's message as Discord shows it now. */
  getOriginal(reply: ReplyTarget): Promise<SeenMessage>;
  /** Resolves with the message as edited (its id names the video's message once it carries one). */
  editOriginal(reply: ReplyTarget, view: MessageView, options?: SendOptions): Promise<SeenMessage>;
  /** A new message under the interaction (it pings). Never resent by the REST client: the caller decides. */
  followUp(reply: ReplyTarget, view: MessageView, options?: SendOptions): Promise<SeenMessage>;
  postChannelMessage(channelId: string, view: MessageView, options?: SendOptions): Promise<SeenMessage>;
  editChannelMessage(channelId: string, messageId: string, view: MessageView): Promise<void>;
  /** Up to 100 messages of a channel after `afterId` (needs View Channel and Read Message History). */
  listChannelMessages(channelId: string, afterId: string): Promise<SeenMessage[]>;
}

/**
 * `rest` is the bot's client (it resends 5xx and timed-out requests, which is safe for edits and reads);
 * `uploads` is a client that never resends (retries 0) and whose own timeout is long: every upload and every
 * message that pings goes through it, under the caller's signal, so a request that may have landed is never
 * repeated blindly.
 */
export function createDiscordApi(rest: REST, uploads: REST = rest): DiscordApi {
  return {
    async getOriginal(reply) {
      const route = Routes.webhookMessage(reply.applicationId, reply.interactionToken);
      return (await rest.get(route, { auth: false })) as SeenMessage;
    },
    async editOriginal(reply, view, options = {}) {
      const route = Routes.webhookMessage(reply.applicationId, reply.interactionToken);
      if (!options.file) return (await rest.patch(route, { body: view, auth: false, signal: options.signal })) as SeenMessage;
      const body = await withFile(view, options.file);
      return (await uploads.patch(route, { body, passThroughBody: true, auth: false, signal: options.signal })) as SeenMessage;
    },
    async followUp(reply, view, options = {}) {
      const route = Routes.webhook(reply.applicationId, reply.interactionToken);
      const query = new URLSearchParams({ wait: 'true' });
      return (await uploads.post(route, { body: view, query, auth: false, signal: options.signal })) as SeenMessage;
    },
    async postChannelMessage(channelId, view, options = {}) {
      const json = options.nonce ? { ...view, nonce: options.nonce, enforce_nonce: true } : view;
      const route = Routes.channelMessages(channelId);
      // Without a nonce a resend could double the message: only the never-resending client may send it.
      const client = options.file || !options.nonce ? uploads : rest;
      const body = options.file ? { body: await withFile(json, options.file), passThroughBody: true } : { body: json };
      return (await client.post(route, { ...body, signal: options.signal })) as SeenMessage;
    },
    async editChannelMessage(channelId, messageId, view) {
      await rest.patch(Routes.channelMessage(channelId, messageId), { body: view });
    },
    async listChannelMessages(channelId, afterId) {
      const query = new URLSearchParams({ after: afterId, limit: '100' });
      return (await rest.get(Routes.channelMessages(channelId), { query })) as SeenMessage[];
    },
  };
}

/** A Discord nonce (at most 25 characters) that names one message of one job, the same in every process. */
export function nonceFor(jobId: string, purpose: string): string {
  return createHash('sha256').update(`${purpose}:${jobId}`).digest('hex').slice(0, 25);
}

const discordEpoch = 1_420_070_400_000n;

/** The smallest snowflake of a message created at `ms` (epoch ms): what `after=` takes to list from that moment. */
export function snowflakeAt(ms: number): string {
  const since = BigInt(Math.max(0, Math.floor(ms))) - discordEpoch;
  return (since > 0n ? since << 22n : 0n).toString();
}

/** The time a snowflake was made at (epoch ms). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + discordEpoch);
}

const codeOf = (err: unknown): number | undefined =>
  err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;

/**
 * The interaction's message can no longer be edited: invalid token, unknown webhook, unknown message, or its channel
 * is gone.
 */
const deadReplyCodes: ReadonlySet<number> = new Set([50027, 10015, 10008, 10003]);

export function isDeadReplyError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && deadReplyCodes.has(code);
}

export function isTooLargeError(err: unknown): boolean {
  return codeOf(err) === 40005 || (err instanceof HTTPError && err.status === 413);
}

/** The bot cannot attach files here (or cannot post at all): 50013 Missing Permissions. */
export function isMissingPermissionError(err: unknown): boolean {
  return codeOf(err) === 50013;
}

/**
 * The channel cannot be used by the bot any more: it is gone (10003), or the bot lost access (50001) or a permission
 * (50013). Permanent: retrying changes nothing until a moderator acts.
 */
const channelUnusableCodes: ReadonlySet<number> = new Set([10003, 50001, 50013]);

export function isChannelUnusableError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && channelUnusableCodes.has(code);
}

/**
 * Discord may have acted although we got no answer: a timeout, a dropped connection, a 5xx. A resend can double
 * what was sent; a 4xx (Discord refused, nothing happened) is not ambiguous.
 */
export function isAmbiguousError(err: unknown): boolean {
  return !(err instanceof DiscordAPIError) && !(err instanceof HTTPError && err.status < 500);
}

/**
 * Discord failing, not refusing what was sent: a 5xx, a dropped connection, a 429 (rate limited). Worth sending the
 * same thing again after a wait. An upload that timed out is not one: the file may be too large for the link.
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof UploadTimeoutError) return false;
  const status = err instanceof DiscordAPIError || err instanceof HTTPError ? err.status : undefined;
  return status === 429 || isAmbiguousError(err);
}

/** The upload did not finish within the time its size allows. */
export class UploadTimeoutError extends Error {
  override name = 'UploadTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`upload did not finish within ${timeoutMs} ms`);
  }
}

/**
 * What may be logged about a REST failure. DiscordAPIError.url and requestBody hold the interaction token and the
 * payload, so only the code, status and method leave this function.
 */
export interface RestErrorSummary {
  type: string;
  code?: number | string;
  status?: number;
  method?: string;
}

export function describeRestError(err: unknown): RestErrorSummary {
  if (err instanceof DiscordAPIError) {
    return { type: 'DiscordAPIError', code: err.code, status: err.status, method: err.method };
  }
  if (err instanceof HTTPError) return { type: 'HTTPError', status: err.status, method: err.method };
  return { type: err instanceof Error ? err.name : typeof err };
}
