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

/**
 * The multipart body Discord expects (`files[0]` and `payload_json`), built by hand so that the file part is a
 * disk-backed Blob: @discordjs/rest would copy a Buffer into a Blob, holding the video twice.
 */
async function withFile(view: MessageView, file: UploadFile): Promise<FormData> {
  const form = new FormData();
  form.append('files[0]', await openAsBlob(file.path, { type: file.contentType }), file.name);
  form.append('payload_json', JSON.stringify({ ...view, attachments: [{ id: '0' }] }));
  return form;
}

/**
 * The calls the responder makes. Webhook routes need only the application id and the token (no Interaction
 * object), so they work after a restart; they carry no bot auth. Channel messages use the bot's token.
 */
export interface DiscordApi {
  /** The interaction's message as Discord shows it now. */
  getOriginal(reply: ReplyTarget): Promise<{ content: string; attachments: { filename: string }[] }>;
  editOriginal(reply: ReplyTarget, view: MessageView, file?: UploadFile, signal?: AbortSignal): Promise<void>;
  followUp(reply: ReplyTarget, view: MessageView, signal?: AbortSignal): Promise<void>;
  postChannelMessage(channelId: string, view: MessageView, file?: UploadFile, signal?: AbortSignal): Promise<string>;
  editChannelMessage(channelId: string, messageId: string, view: MessageView): Promise<void>;
}

export function createDiscordApi(rest: REST): DiscordApi {
  return {
    async getOriginal(reply) {
      const route = Routes.webhookMessage(reply.applicationId, reply.interactionToken);
      return (await rest.get(route, { auth: false })) as { content: string; attachments: { filename: string }[] };
    },
    async editOriginal(reply, view, file, signal) {
      const route = Routes.webhookMessage(reply.applicationId, reply.interactionToken);
      const body = file ? { body: await withFile(view, file), passThroughBody: true } : { body: view };
      await rest.patch(route, { ...body, auth: false, signal });
    },
    async followUp(reply, view, signal) {
      const route = Routes.webhook(reply.applicationId, reply.interactionToken);
      await rest.post(route, { body: view, query: new URLSearchParams({ wait: 'true' }), auth: false, signal });
    },
    async postChannelMessage(channelId, view, file, signal) {
      const body = file ? { body: await withFile(view, file), passThroughBody: true } : { body: view };
      const message = (await rest.post(Routes.channelMessages(channelId), { ...body, signal })) as { id: string };
      return message.id;
    },
    async editChannelMessage(channelId, messageId, view) {
      await rest.patch(Routes.channelMessage(channelId, messageId), { body: view });
    },
  };
}

/** The interaction's message can no longer be edited: invalid token, unknown webhook, unknown message. */
const deadReplyCodes: ReadonlySet<number> = new Set([50027, 10015, 10008]);

export function isDeadReplyError(err: unknown): boolean {
  return err instanceof DiscordAPIError && typeof err.code === 'number' && deadReplyCodes.has(err.code);
}

export function isTooLargeError(err: unknown): boolean {
  return (err instanceof DiscordAPIError && err.code === 40005) || (err instanceof HTTPError && err.status === 413);
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
