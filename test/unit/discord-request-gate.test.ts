import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUploadRest } from '../../src/discord/client.js';

/** A loopback Discord that answers every request with an empty 200 and records its method and path. */
let server: Server;
let seen: string[];
let apiUrl: string;

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    req.resume().on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the lease gate on Discord requests', () => {
  it("lets an interaction's first answer through while the lease is unconfirmed, and holds every other request until it is", async () => {
    let open!: () => void;
    const confirmed = new Promise<void>((resolve) => (open = resolve));
    let asked = 0;
    const rest = createUploadRest({ apiUrl, token: 'test-token', gate: () => (asked++, confirmed) });

    await rest.post(Routes.interactionCallback('1300000000000000001', 'tok'), { body: { type: 5 }, auth: false });
    expect(seen).toEqual(['POST /api/v10/interactions/1300000000000000001/tok/callback']);

    const edit = rest.patch(Routes.webhookMessage('1300000000000000002', 'tok', '@original'), { body: { content: 'x' }, auth: false });
    await expect.poll(() => asked).toBe(1);
    expect(seen).toHaveLength(1);
    open();
    await edit;
    expect(seen[1]).toBe('PATCH /api/v10/webhooks/1300000000000000002/tok/messages/%40original');
  });
});
