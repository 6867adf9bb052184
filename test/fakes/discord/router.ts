import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './http.js';

/** One request as a route sees it. `now` is the fake clock's time when the request arrived. */
export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  now: number;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Matched against the path after `/api/v10`; capture groups become `params`. */
  pattern: RegExp;
  /** Readable name for the request log, e.g. `POST /interactions/:id/:token/callback`. */
  name: string;
  /** 'bot' routes need `Authorization: Bot <token>`; interaction routes take none. */
  auth: 'bot' | 'none';
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

export function findRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => p ?? '') };
  }
  return undefined;
}
