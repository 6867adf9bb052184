import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: `src/main.ts` reads `.env` relative to the working directory, so the child runs here. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every setting `src/config.ts` reads. The child gets each one blank unless the test sets it: `loadDotEnv` never
 * overrides a key that is present and `parseConfig` treats a blank value as unset, so a developer's `.env` in the
 * repository root cannot leak into a test.
 */
export const configKeys = [
  'DISCORD_TOKEN',
  'REPLICATE_API_TOKEN',
  'DISCORD_GUILD_ID',
  'DISCORD_API_URL',
  'REPLICATE_API_URL',
  'REPLICATE_MODEL',
  'REPLICATE_MODELS',
  'MODELS_FILE',
  'STORAGE_URL',
  'MAX_CONCURRENT_PREDICTIONS',
  'GUILD_CONCURRENCY',
  'GUILD_QUEUE_LIMIT',
  'USER_PENDING_LIMIT',
  'REPLICATE_POLL_INTERVAL_MS',
  'LOG_LEVEL',
  'FFMPEG_PATH',
  'QUOTA_DEFAULT_SECONDS',
  'QUOTA_PERIOD',
  'PRICE_PER_SECOND_USD',
  'HTTP_PORT',
  'HTTP_HOST',
] as const;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Real ms from `kill()` to the exit (from the spawn when never killed). */
  afterMs: number;
}

export interface WaitOptions {
  /** Real ms before failing; default 20 000 (a 2-core machine running two e2e files at once). */
  timeoutMs?: number;
  description?: string;
}

/** Polls `probe` until it returns something other than undefined/null/false. No fixed sleeps in tests. */
export async function waitUntil<T>(probe: () => T | undefined | null | false, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${options.description ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type LogEntry = Record<string, unknown>;

/**
 * `npm start` as an operator runs it, in a child process (`node --import tsx src/main.ts`, no npx in between, so
 * signals reach the bot itself). stdout is read as pino's JSON lines; stderr is kept as text.
 */
export class BotProcess {
  readonly stdoutLines: string[] = [];
  stderr = '';
  /** Resolves once the process is gone, with how long it took after `kill()`. */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly spawnedAt = Date.now();
  private killedAt: number | undefined;
  private exit: ProcessExit | undefined;
  private partial = '';

  /** `entry`: the script to run instead of `src/main.ts` (relative to the repository root). */
  constructor(env: Record<string, string | undefined>, entry = 'src/main.ts') {
    const blank = Object.fromEntries(configKeys.map((key) => [key, '']));
    this.child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...process.env, ...blank, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.readStdout(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        if (this.partial) this.stdoutLines.push(this.partial);
        this.exit = { code, signal, afterMs: Date.now() - (this.killedAt ?? this.spawnedAt) };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Everything the bot wrote to stdout. */
  get output(): string {
    return this.stdoutLines.join('\n');
  }

  /** stdout's JSON log lines (anything else is skipped). */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const line of this.stdoutLines) {
      try {
        out.push(JSON.parse(line) as LogEntry);
      } catch {
        // not a log line
      }
    }
    return out;
  }

  find(msg: string): LogEntry[] {
    return this.entries().filter((entry) => entry.msg === msg);
  }

  /**
   * Waits for the `count`-th log line with this `msg` (or any of these); fails at once, showing stderr, when the
   * process exits first.
   */
  async waitForLog(msg: string | string[], options: WaitOptions & { count?: number } = {}): Promise<LogEntry> {
    const count = options.count ?? 1;
    const wanted = new Set(Array.isArray(msg) ? msg : [msg]);
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const found = this.entries().filter((entry) => wanted.has(entry.msg as string));
      if (found.length >= count) return found[count - 1]!;
      if (this.exit || Date.now() >= deadline) {
        const why = this.exit ? `the bot exited (${this.exit.code ?? this.exit.signal})` : 'timed out';
        throw new Error(`${why} before log line "${[...wanted].join('" or "')}" #${count}; stderr:\n${this.stderr}\nlast lines:\n${this.stdoutLines.slice(-15).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends the signal (once the process is still there) and returns `exited`. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<ProcessExit> {
    if (!this.exit) {
      this.killedAt = Date.now();
      this.child.kill(signal);
    }
    return this.exited;
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) the process, as a VM pause or a debugger would. */
  pause(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.exit) this.child.kill(signal);
  }

  private readStdout(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') this.stdoutLines.push(line);
  }
}

/** Starts the bot as a child process. Call `kill('SIGKILL')` in afterEach for every process started. */
export function spawnBot(env: Record<string, string | undefined>, entry?: string): BotProcess {
  return new BotProcess(env, entry);
}
