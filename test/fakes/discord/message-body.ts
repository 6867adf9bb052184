import { discordError, errors, type Reply } from './http.js';
import { parseMultipart } from './multipart.js';
import { MessageFlag, type RecordedAttachment, type RecordedMessage } from './state.js';

export interface UploadedFile {
  /** The placeholder id `n` from the part name `files[n]`. */
  index: string;
  filename: string;
  contentType: string | null;
  bytes: Buffer;
}

/** A message create/edit body: the JSON (or `payload_json`) plus uploaded files. */
export interface MessageBody {
  json: Record<string, unknown>;
  files: UploadedFile[];
}

const invalidJson = (): Reply => discordError(400, 50109, 'The request body contains invalid JSON.');

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = text === '' ? {} : JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function isMessageBody(value: MessageBody | Reply): value is MessageBody {
  return 'files' in value;
}

/** Reads a JSON or multipart/form-data (`payload_json` + `files[n]`) body the way Discord does. */
export async function parseMessageBody(contentType: string | undefined, body: Buffer): Promise<MessageBody | Reply> {
  if (!contentType?.startsWith('multipart/form-data')) {
    const json = parseJsonObject(body.toString('utf8'));
    return json ? { json, files: [] } : invalidJson();
  }
  let parts;
  try {
    parts = await parseMultipart(body, contentType);
  } catch {
    return errors.invalidFormBody('_', 'CONTENT_TYPE_INVALID', 'Invalid multipart body');
  }
  let json: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  for (const [position, part] of parts.entries()) {
    if (part.name === 'payload_json') {
      const parsed = parseJsonObject(part.bytes.toString('utf8'));
      if (!parsed) return invalidJson();
      json = parsed;
    } else if (part.filename !== undefined) {
      const index = /^files\[(\d+)\]$/.exec(part.name)?.[1] ?? String(position);
      files.push({ index, filename: part.filename, contentType: part.contentType, bytes: part.bytes });
    }
  }
  return { json, files };
}

export interface VersionContext {
  id: string;
  channelId: string;
  at: number;
  flags: number;
  /** Per-file upload limit in bytes. */
  sizeLimit: number;
  /** Stores an uploaded file on the CDN and returns what the message will show. */
  store: (file: UploadedFile) => RecordedAttachment;
}

function pickArray(value: unknown, previous: unknown[] | undefined): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  if (value === null) return [];
  return previous ?? [];
}

function keptAttachments(
  listed: unknown,
  previous: RecordedAttachment[],
  files: UploadedFile[],
  store: VersionContext['store'],
): RecordedAttachment[] {
  if (!Array.isArray(listed)) return [...previous, ...files.map(store)];
  const used = new Set<UploadedFile>();
  const result: RecordedAttachment[] = [];
  for (const entry of listed as { id?: unknown; filename?: unknown }[]) {
    const id = String(entry.id);
    const existing = previous.find((a) => a.id === id);
    const file = files.find((f) => f.index === id);
    if (existing) result.push(existing);
    else if (file) {
      used.add(file);
      result.push(store(typeof entry.filename === 'string' ? { ...file, filename: entry.filename } : file));
    }
  }
  return [...result, ...files.filter((f) => !used.has(f)).map(store)];
}

/**
 * Applies a create (previous undefined) or edit body as Discord does: given fields replace, absent ones stay,
 * attachments not listed in `attachments` are removed. Refuses files over the limit and empty messages.
 */
export function isRecordedMessage(value: RecordedMessage | Reply): value is RecordedMessage {
  return 'channelId' in value;
}

export function buildVersion(
  previous: RecordedMessage | undefined,
  body: MessageBody,
  ctx: VersionContext,
): RecordedMessage | Reply {
  if (body.files.some((f) => f.bytes.length > ctx.sizeLimit)) return errors.tooLarge();
  const { json } = body;
  const content =
    typeof json.content === 'string' ? json.content : json.content === null ? '' : (previous?.content ?? '');
  const version: RecordedMessage = {
    id: ctx.id,
    channelId: ctx.channelId,
    content,
    embeds: pickArray(json.embeds, previous?.embeds),
    components: pickArray(json.components, previous?.components),
    attachments: keptAttachments(json.attachments, previous?.attachments ?? [], body.files, ctx.store),
    flags: ctx.flags,
    allowedMentions: json.allowed_mentions,
    at: ctx.at,
  };
  const componentsV2 = (version.flags & MessageFlag.ComponentsV2) !== 0 && version.components.length > 0;
  if (version.content === '' && version.embeds.length === 0 && version.attachments.length === 0 && !componentsV2) {
    return errors.emptyMessage();
  }
  return version;
}
