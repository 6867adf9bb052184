import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Bot } from '../bot.js';
import { answerManager } from './ipc.js';
import type { ForwardedWebhook, WebhookAnswer } from './manager-http.js';

/**
 * In a shard under the sharding manager: answers the manager's questions over IPC (its HTTP port aggregates every
 * shard): `health` and `metrics` as this shard's own `/healthz` and `/metrics` would, and `webhook`, a Replicate
 * webhook the manager received for this shard, through the same receiver a shard's own HTTP port would use.
 */
export function answerManagerFor(bot: Bot, owner: string): () => void {
  return answerManager({
    health: () => bot.health(),
    metrics: () => bot.metrics.registry.getMetricsAsJSON(),
    webhook: (payload) => {
      const route = bot.webhookRoute;
      if (!route) return { status: 404, body: JSON.stringify({ error: 'webhook mode is off (PUBLIC_URL unset)' }) };
      // The manager hands a shard only the webhooks whose URL names it.
      return replay(route, payload as ForwardedWebhook, `/webhooks/replicate/${owner}`);
    },
  });
}

/** Runs an HTTP route on a forwarded request (headers and raw body) and answers its status and body. */
async function replay(
  route: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  forwarded: ForwardedWebhook,
  url: string,
): Promise<WebhookAnswer> {
  const req = Object.assign(Readable.from([Buffer.from(forwarded.body)]), {
    method: 'POST',
    url,
    headers: forwarded.headers,
  });
  const res = new CapturedResponse();
  await route(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return res.done;
}

/** The part of ServerResponse a route uses, kept in memory. */
class CapturedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  private chunks: Buffer[] = [];
  private resolve!: (answer: WebhookAnswer) => void;
  readonly done = new Promise<WebhookAnswer>((resolve) => (this.resolve = resolve));

  setHeader(): this {
    return this;
  }

  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    this.resolve({ status: this.statusCode, body: Buffer.concat(this.chunks).toString('utf8') });
    this.emit('finish');
    return this;
  }
}
