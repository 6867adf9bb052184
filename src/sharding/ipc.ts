/**
 * Questions from the sharding manager to one shard over the IPC channel discord.js already opened (process mode),
 * and their answers: the manager's HTTP endpoints aggregate the shards' health and metrics and forward a Replicate
 * webhook to the shard that owns its job. Messages carry their own marker, so discord.js's own (`_eval`,
 * `_sFetchProp`, `_ready`…) and ours never mistake each other; discord.js re-emits ours as the Shard's `message`.
 */

/** What both a discord.js `Shard` and a forked `ChildProcess` offer: enough to ask and hear back. */
export interface IpcPeer {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

interface IpcQuestion {
  videobotAsk: number;
  kind: string;
  payload: unknown;
}

interface IpcAnswer {
  videobotAnswer: number;
  result?: unknown;
  error?: string;
}

let nextQuestion = 1;

export class IpcTimeout extends Error {
  constructor(kind: string, ms: number) {
    super(`the shard did not answer '${kind}' within ${ms} ms`);
  }
}

/**
 * Asks `peer` one question and resolves its answer; rejects when the shard answers with an error, cannot be
 * written to, or says nothing within `timeoutMs` (a shard that is restarting).
 */
export function askShard<T>(peer: IpcPeer, kind: string, payload: unknown, timeoutMs: number): Promise<T> {
  const id = nextQuestion++;
  return new Promise<T>((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      peer.off('message', listen);
      fn();
    };
    const listen = (message: unknown) => {
      if (!isAnswer(message) || message.videobotAnswer !== id) return;
      done(() => (message.error === undefined ? resolve(message.result as T) : reject(new Error(message.error))));
    };
    const timer = setTimeout(() => done(() => reject(new IpcTimeout(kind, timeoutMs))), timeoutMs);
    timer.unref();
    peer.on('message', listen);
    const question: IpcQuestion = { videobotAsk: id, kind, payload };
    try {
      const sent = peer.send(question);
      if (sent instanceof Promise) sent.catch((err: unknown) => done(() => reject(err as Error)));
    } catch (err) {
      done(() => reject(err as Error));
    }
  });
}

export type IpcHandlers = Record<string, (payload: unknown) => unknown>;

/**
 * In a shard: answers the manager's questions with `handlers` (by kind). An unknown kind or a handler that throws
 * is answered with an error line, never left unanswered. Returns a function that stops answering.
 */
export function answerManager(handlers: IpcHandlers, channel: NodeJS.Process = process): () => void {
  const listen = (message: unknown) => {
    if (!isQuestion(message)) return;
    const reply = (answer: Omit<IpcAnswer, 'videobotAnswer'>) => {
      try {
        channel.send?.({ videobotAnswer: message.videobotAsk, ...answer });
      } catch {
        // The manager went away: nobody is left to hear the answer.
      }
    };
    const handler = handlers[message.kind];
    if (!handler) return reply({ error: `unknown question '${message.kind}'` });
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (result) => reply({ result }),
        (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
      );
  };
  channel.on('message', listen);
  return () => void channel.off('message', listen);
}

function isQuestion(message: unknown): message is IpcQuestion {
  return typeof message === 'object' && message !== null && typeof (message as IpcQuestion).videobotAsk === 'number';
}

function isAnswer(message: unknown): message is IpcAnswer {
  return typeof message === 'object' && message !== null && typeof (message as IpcAnswer).videobotAnswer === 'number';
}
