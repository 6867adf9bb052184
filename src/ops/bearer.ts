import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, type HttpRoute } from './http-server.js';

/**
 * `route` behind `Authorization: Bearer <token>` (`METRICS_TOKEN`); the route itself when no token is set. Anything
 * else answers 401 with `www-authenticate: Bearer`. Compared in constant time over digests, so neither the token's
 * bytes nor its length leak through timing.
 */
export function requireBearer(token: string | undefined, route: HttpRoute): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    if (expected === undefined) return route(req, res);
    const given = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('www-authenticate', 'Bearer');
      answer(res, 401, { error: 'unauthorized' });
      return;
    }
    return route(req, res);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
