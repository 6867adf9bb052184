import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/** `[shard_id, num_shards]` as IDENTIFY and READY carry it. */
export type ShardPair = [number, number];

/** What the gateway needs from the rest of the fake at IDENTIFY time. */
export interface GatewayOptions {
  server: Server;
  botToken: string;
  heartbeatIntervalMs: number;
  /** READY's `d`, given the new session id and the connection's shard (only its guilds listed). */
  ready: (sessionId: string, shard: ShardPair) => unknown;
  /** GUILD_CREATE payloads for the shard's guilds, sent right after READY so `ClientReady` fires without waiting. */
  guildCreates: (shard: ShardPair) => unknown[];
}

interface Session {
  socket: WebSocket;
  sequence: number;
  identified: boolean;
  shard: ShardPair;
}

/** Discord's sharding formula: `(guild_id >> 22) % num_shards`. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * The Discord gateway over plain JSON text frames (no zlib), for one or several shard connections at once: each
 * gets its own HELLO, heartbeat ACKs, IDENTIFY (close 4004 on a wrong token; `shard` read from it, default [0, 1])
 * and READY + GUILD_CREATE for the guilds its shard owns. A dispatch goes only to the socket of the shard owning its
 * `guild_id` (events without one, like DMs, to shard 0). A second connection for a shard already connected replaces
 * it. RESUME of a session this gateway issued is accepted with RESUMED (events sent while disconnected are not
 * replayed: `dispatch` refuses them); an unknown session gets INVALID_SESSION and identifies afresh.
 */
export class FakeGateway {
  private readonly wss: WebSocketServer;
  /** Identified connections by shard id. */
  private readonly shards = new Map<number, Session>();
  /** How many times a client identified successfully (any shard). */
  identifyCount = 0;
  /** How many times a client resumed a session (any shard). */
  resumeCount = 0;
  /** The intents of the last IDENTIFY (events like MESSAGE_CREATE go only to clients that asked for them). */
  intents = 0;
  /** Every successful IDENTIFY's shard, in order. */
  readonly identified: ShardPair[] = [];
  private readonly sessions = new Map<string, ShardPair>();

  constructor(private readonly options: GatewayOptions) {
    this.wss = new WebSocketServer({ server: options.server });
    this.wss.on('connection', (socket) => this.accept(socket));
  }

  /** True while at least one shard connection is identified. */
  get connected(): boolean {
    return this.shards.size > 0;
  }

  /** Ids of the shards identified now, ascending. */
  get connectedShards(): number[] {
    return [...this.shards.keys()].sort((a, b) => a - b);
  }

  /** True when the shard that would receive an event for `guildId` (shard 0 when none) is identified. */
  canReach(guildId: string | undefined): boolean {
    return this.sessionFor(guildId) !== undefined;
  }

  /** Sends a dispatch (op 0) on the socket of the shard owning `data.guild_id`; throws when it is not connected. */
  dispatch(event: string, data: unknown): void {
    const guildId = guildIdOf(data);
    const session = this.sessionFor(guildId);
    if (!session) {
      const who = guildId === undefined ? 'shard 0' : `the shard of guild ${guildId}`;
      throw new Error(`fake discord: no identified gateway client (${who}) to receive ${event}`);
    }
    this.send(session, { op: 0, t: event, s: ++session.sequence, d: data });
  }

  /** Closes shard connections from the server side (all, or the one of `shardId`), e.g. to test a reconnect. */
  disconnect(code = 4000, reason = 'Unknown error', shardId?: number): void {
    for (const [id, session] of this.shards) if (shardId === undefined || id === shardId) session.socket.close(code, reason);
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private sessionFor(guildId: string | undefined): Session | undefined {
    for (const session of this.shards.values()) {
      const [id, count] = session.shard;
      if ((guildId === undefined ? 0 : shardOfGuild(guildId, count)) === id) return session;
    }
    return undefined;
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, sequence: 0, identified: false, shard: [0, 1] };
    socket.on('message', (raw, isBinary) => {
      if (isBinary) {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      this.receive(session, raw.toString());
    });
    socket.on('close', () => {
      if (this.shards.get(session.shard[0]) === session) this.shards.delete(session.shard[0]);
    });
    this.send(session, { op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
  }

  private receive(session: Session, text: string): void {
    let packet: { op?: unknown; d?: unknown };
    try {
      packet = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      session.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (packet.op) {
      case 1:
        this.send(session, { op: 11 });
        return;
      case 2:
        this.identify(session, packet.d);
        return;
      case 6:
        this.resume(session, packet.d);
        return;
      case 3:
      case 4:
      case 8:
        return;
      default:
        session.socket.close(4001, 'Unknown opcode.');
    }
  }

  /** The session serves `shard` from now on; an older connection for the same shard is dropped. */
  private take(session: Session, shard: ShardPair): void {
    session.shard = shard;
    session.identified = true;
    const previous = this.shards.get(shard[0]);
    this.shards.set(shard[0], session);
    if (previous && previous !== session) previous.socket.terminate();
  }

  private identify(session: Session, data: unknown): void {
    if (session.identified) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    const identify = (typeof data === 'object' && data !== null ? data : {}) as {
      token?: unknown;
      intents?: unknown;
      shard?: unknown;
    };
    if (identify.token !== this.options.botToken) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    const shard = readShard(identify.shard);
    if (!shard) {
      session.socket.close(4010, 'Invalid shard.');
      return;
    }
    this.take(session, shard);
    this.identifyCount++;
    this.identified.push(shard);
    this.intents = typeof identify.intents === 'number' ? identify.intents : 0;
    const sessionId = randomBytes(16).toString('hex');
    this.sessions.set(sessionId, shard);
    this.send(session, { op: 0, t: 'READY', s: ++session.sequence, d: this.options.ready(sessionId, shard) });
    for (const guild of this.options.guildCreates(shard)) {
      this.send(session, { op: 0, t: 'GUILD_CREATE', s: ++session.sequence, d: guild });
    }
  }

  private resume(session: Session, data: unknown): void {
    const resume = (typeof data === 'object' && data !== null ? data : {}) as {
      token?: unknown;
      session_id?: unknown;
      seq?: unknown;
    };
    if (resume.token !== this.options.botToken) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    const shard = typeof resume.session_id === 'string' ? this.sessions.get(resume.session_id) : undefined;
    if (!shard) {
      this.send(session, { op: 9, d: false });
      return;
    }
    this.take(session, shard);
    session.sequence = typeof resume.seq === 'number' ? resume.seq : 0;
    this.resumeCount++;
    this.send(session, { op: 0, t: 'RESUMED', s: ++session.sequence, d: null });
  }

  private send(session: Session, packet: unknown): void {
    session.socket.send(JSON.stringify(packet));
  }
}

/** `[id, count]` with 0 ≤ id < count, or [0, 1] when IDENTIFY has none; undefined when malformed. */
function readShard(value: unknown): ShardPair | undefined {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [id, count] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return undefined;
  if ((count as number) < 1 || (id as number) < 0 || (id as number) >= (count as number)) return undefined;
  return [id as number, count as number];
}

function guildIdOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('guild_id' in data)) return undefined;
  const id = (data as { guild_id?: unknown }).guild_id;
  return typeof id === 'string' && /^\d+$/.test(id) ? id : undefined;
}
