import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers; serialised by the server together with rate-limit headers. */
export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
  /** Set when the body broke Discord's schema or limits: kept on the request record (see schema-check.ts). */
  violation?: string;
}

/** A Discord JSON error body: `{code, message, errors?}`. */
export function discordError(status: number, code: number, message: string, errors?: unknown): Reply {
  return { status, json: errors === undefined ? { code, message } : { code, message, errors } };
}

export const errors = {
  unauthorized: (): Reply => discordError(401, 0, '401: Unauthorized'),
  notFound: (): Reply => discordError(404, 0, '404: Not Found'),
  unknownChannel: (): Reply => discordError(404, 10003, 'Unknown Channel'),
  unknownMessage: (): Reply => discordError(404, 10008, 'Unknown Message'),
  unknownWebhook: (): Reply => discordError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: (): Reply => discordError(404, 10062, 'Unknown interaction'),
  tooLarge: (): Reply => discordError(413, 40005, 'Request entity too large'),
  alreadyAcknowledged: (): Reply => discordError(400, 40060, 'Interaction has already been acknowledged.'),
  emptyMessage: (): Reply => discordError(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: (): Reply => discordError(401, 50027, 'Invalid Webhook Token'),
  invalidFormBody: (field: string, code: string, message: string): Reply =>
    discordError(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } }),
};

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value && typeof value.status === 'number';
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function writeReply(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string> = { ...extraHeaders, ...reply.headers };
  if (reply.json === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const body = JSON.stringify(reply.json);
  res
    .writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    })
    .end(body);
}
