/**
 * What a lease holder did after it was frozen past its lease and resumed, read on the wire and in its own log: each
 * bot process reaches the fault proxies under a path prefix of its own (`/p<N>`), so a request is tied to the
 * process that sent it, and the frozen process logs every store write it makes from just before the freeze.
 */
import type { ProxiedRequest, ProxyFault } from '../../test/harness/fault-proxy.js';
import type { BotLogs } from './bot-logs.js';
import type { Freeze } from './bot-supervisor.js';
import { replicateRoute } from './chaos.js';

interface WireWrite {
  side: 'discord' | 'replicate';
  /** `p<N>`: the bot process (1 = the first started). */
  tag: string | undefined;
  /** `create`, `cancel`, `output`… for Replicate; the method for Discord. */
  what: string;
  at: number;
}

/** The requests that change something or fetch a video, by process: Discord writes, Replicate creates and downloads. */
/** A Discord request that changes something: `answer` for an interaction's first answer, else its method. */
function discordWrite(method: string, path: string): string | undefined {
  if (method === 'GET') return undefined;
  return /\/interactions\/\d+\/[^/]+\/callback/.test(path) ? 'answer' : method;
}

export class WireLog {
  readonly writes: WireWrite[] = [];

  /** `now`: the real clock the freezes are timed on. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Wraps a proxy's `decide` so every request it sees is noted first. */
  watch(side: WireWrite['side'], decide: (r: ProxiedRequest) => ProxyFault | undefined): (r: ProxiedRequest) => ProxyFault | undefined {
    return (request) => {
      const what = side === 'discord' ? discordWrite(request.method, request.path) : replicateRoute(request.method, request.path);
      if (what && !['get', 'list', 'file-get'].includes(what)) this.writes.push({ side, tag: request.tag, what, at: Math.min(this.now(), request.startedAt) });
      return decide(request);
    };
  }
}

export interface AfterResume extends Freeze {
  /** Store writes it made after its SIGCONT that were applied, and that were refused. */
  storeWritesApplied: number;
  storeWritesRefused: number;
  /** Requests that reached (or were meant for) Discord to post or edit (POST, PATCH, PUT, DELETE), interactions' first answers aside. */
  discordWrites: number;
  /** First answers to new interactions (a stale process still hears some; it can only refuse them). */
  discordAnswers: number;
  /** Predictions it asked Replicate to create, and downloads of an output it started. */
  replicateCreates: number;
  outputDownloads: number;
}

export function afterResume(freeze: Freeze, wire: WireLog, logs: BotLogs): AfterResume {
  const tag = `p${freeze.processNumber}`;
  const mine = wire.writes.filter((w) => w.tag === tag && w.at >= freeze.resumedAt);
  const writes = logs.entries.filter(
    ({ process, entry }) => process === freeze.processNumber && entry.msg === 'soak store write' && Number(entry.issuedAt ?? entry.time) >= freeze.resumedAt,
  );
  return {
    ...freeze,
    storeWritesApplied: writes.filter((w) => w.entry.applied === true).length,
    storeWritesRefused: writes.filter((w) => w.entry.applied !== true).length,
    discordWrites: mine.filter((w) => w.side === 'discord' && w.what !== 'answer').length,
    discordAnswers: mine.filter((w) => w.side === 'discord' && w.what === 'answer').length,
    replicateCreates: mine.filter((w) => w.what === 'create').length,
    outputDownloads: mine.filter((w) => w.what === 'output').length,
  };
}

/** Did any resumed holder write, post or create after its SIGCONT? */
export function wroteAfterResume(a: AfterResume): boolean {
  return a.storeWritesApplied + a.discordWrites + a.replicateCreates > 0;
}
