import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the gateway needs from the rest of the fake at IDENTIFY time. */
export interface GatewayOptions {
  server: Server;
  botToken: string;
  heartbeatIntervalMs: number;
  /** READY's `d`, given the new session id. */
  ready: (sessionId: string) => unknown;
  /** GUILD_CREATE payloads, sent right after READY so `ClientReady` fires without waiting. */
  guildCreates: () => unknown[];
}

interface Session {
  socket: WebSocket;
  sequence: number;
  identified: boolean;
}

/**
 * The Discord gateway for one bot connection at a time, over plain JSON text frames (no zlib): HELLO, IDENTIFY
 * (close 4004 on a wrong token), READY + GUILD_CREATE, heartbeat ACKs. RESUME of a session this gateway issued
 * is accepted with RESUMED (events sent while disconnected are not replayed: `dispatch` refuses them); an unknown
 * session gets INVALID_SESSION and identifies afresh (which discord.js throttles by ~5 s).
 */
export class FakeGateway {
  private readonly wss: WebSocketServer;
  private session: Session | undefined;
  /** How many times a client identified successfully. */
  identifyCount = 0;
  /** How many times a client resumed a session. */
  resumeCount = 0;
  /** The intents of the last IDENTIFY (events like MESSAGE_CREATE go only to clients that asked for them). */
  intents = 0;
  private readonly sessions = new Set<string>();

  constructor(private readonly options: GatewayOptions) {
    this.wss = new WebSocketServer({ server: options.server });
    this.wss.on('connection', (socket) => this.accept(socket));
  }

  get connected(): boolean {
    return this.session?.identified === true;
  }

  /** Sends a dispatch (op 0) to the identified client; throws when none is connected. */
  dispatch(event: string, data: unknown): void {
    const session = this.session;
    if (!session?.identified) throw new Error(`fake discord: no identified gateway client to receive ${event}`);
    this.send(session, { op: 0, t: event, s: ++session.sequence, d: data });
  }

  /** Closes the current connection from the server side, e.g. to test a reconnect. */
  disconnect(code = 4000, reason = 'Unknown error'): void {
    this.session?.socket.close(code, reason);
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, sequence: 0, identified: false };
    this.session?.socket.terminate();
    this.session = session;
    socket.on('message', (raw, isBinary) => {
      if (isBinary) {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      this.receive(session, raw.toString());
    });
    socket.on('close', () => {
      if (this.session === session) this.session = undefined;
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

  private identify(session: Session, data: unknown): void {
    if (session.identified) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    const token = typeof data === 'object' && data !== null && 'token' in data ? data.token : undefined;
    if (token !== this.options.botToken) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    session.identified = true;
    this.identifyCount++;
    const intents = (data as { intents?: unknown }).intents;
    this.intents = typeof intents === 'number' ? intents : 0;
    const sessionId = randomBytes(16).toString('hex');
    this.sessions.add(sessionId);
    this.dispatch('READY', this.options.ready(sessionId));
    for (const guild of this.options.guildCreates()) this.dispatch('GUILD_CREATE', guild);
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
    if (typeof resume.session_id !== 'string' || !this.sessions.has(resume.session_id)) {
      this.send(session, { op: 9, d: false });
      return;
    }
    session.identified = true;
    session.sequence = typeof resume.seq === 'number' ? resume.seq : 0;
    this.resumeCount++;
    this.dispatch('RESUMED', null);
  }

  private send(session: Session, packet: unknown): void {
    session.socket.send(JSON.stringify(packet));
  }
}
