import type { RouteName } from './state.js';

/** Which route a request takes, with its path parameters (`unexpected` fails the test at the end). */
export function route(method: string, path: string): { name: RouteName; params: string[] } {
  const m = (re: RegExp) => re.exec(path)?.slice(1) ?? null;
  const table: [string, RegExp, RouteName][] = [
    ['POST', /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/, 'create'],
    ['POST', /^\/v1\/predictions$/, 'create'],
    ['GET', /^\/v1\/models\/([^/]+\/[^/]+)$/, 'model-get'],
    ['GET', /^\/v1\/models\/([^/]+\/[^/]+)\/versions$/, 'model-versions'],
    ['GET', /^\/v1\/models\/([^/]+\/[^/]+)\/versions\/([^/]+)$/, 'model-versions'],
    ['GET', /^\/v1\/predictions$/, 'list'],
    ['GET', /^\/v1\/predictions\/([^/]+)$/, 'get'],
    ['POST', /^\/v1\/predictions\/([^/]+)\/cancel$/, 'cancel'],
    ['POST', /^\/v1\/files$/, 'files'],
    ['GET', /^\/v1\/files$/, 'files-list'],
    ['GET', /^\/v1\/files\/([^/]+)$/, 'file-get'],
    ['GET', /^\/v1\/files\/([^/]+)\/download$/, 'file-download'],
    ['DELETE', /^\/v1\/files\/([^/]+)$/, 'file-delete'],
    ['GET', /^\/files-out\/([^/]+)\.mp4$/, 'output'],
    ['GET', /^\/v1\/webhooks\/default\/secret$/, 'webhook-secret'],
  ];
  for (const [verb, re, name] of table) {
    const params = method === verb ? m(re) : null;
    if (params) return { name, params };
  }
  return { name: 'unexpected', params: [] };
}
