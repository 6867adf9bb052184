/**
 * A bench helper process driven over IPC: `{ id, method, args }` calls answered with `{ id, result }` or
 * `{ id, error }`; the child sends `{ id: 0 }` once it listens. The fakes (bench/fakes-process.ts) and the bot's
 * shards (bench/ack-shard-process.ts) run this way.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface IpcChild {
  readonly pid: number;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** Resolves once the process is gone. */
  readonly exited: Promise<void>;
  /** SIGKILL, then resolves once the process is gone. */
  kill(): Promise<void>;
}

export async function forkIpcChild(entry: string): Promise<IpcChild> {
  const child: ChildProcess = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => pending.set(0, { resolve: () => resolve(), reject }));
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`${entry}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`${entry} exited (${code})`));
      pending.clear();
      resolve();
    }),
  );
  await ready;
  return {
    pid: child.pid ?? -1,
    exited,
    call: <T>(method: string, ...args: unknown[]) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, args });
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
