import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { configKeys, repoRoot, waitUntil } from '../harness/bot-process.js';
import { ProcessWorld } from '../harness/process-world.js';

let world: ProcessWorld | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  // npm runs in its own process group: whatever it left behind goes with it.
  if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  await world?.close();
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm run <script>` as an operator runs it; the test signals npm only, never the processes under it. */
function npmRun(script: string, env: Record<string, string>) {
  const blank = Object.fromEntries(configKeys.map((key) => [key, '']));
  child = spawn('npm', ['run', '--silent', script], {
    cwd: repoRoot,
    env: { ...process.env, ...blank, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const run = { stdout: '', stderr: '', exited: new Promise<number | null>((resolve) => child!.once('exit', resolve)) };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return run;
}

describe('SIGTERM to npm', () => {
  it.each([
    ['start', /^\{"level":30,.*"msg":"bot stopped"\}$/m],
    ['start:pretty', /^\[[^\]]+\] INFO \(\d+\): bot stopped$/m],
  ])('stops the bot of npm run %s gracefully, leaving nothing running', async (script, stoppedLine) => {
    world = await ProcessWorld.start();
    const run = npmRun(script, world.env({ LOG_LEVEL: 'info' }));
    await waitUntil(() => /commands (registered|unchanged)/.test(run.stdout), {
      description: `npm run ${script} to log "commands registered"`,
    });

    child!.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout).toMatch(stoppedLine);
    // Neither the shell npm runs the script in nor tsx may leave the bot behind, orphaned and still running.
    await waitUntil(() => !groupAlive(child!.pid!), { timeoutMs: 5_000, description: 'every process under npm gone' });
    await waitUntil(() => !world!.discord.gatewayConnected, { description: 'the gateway closed by the bot' });
    for (const secret of world.secrets()) expect(run.stdout + run.stderr).not.toContain(secret);
  }, 60_000);
});

describe('npm run start:pretty', () => {
  it('prints readable log lines instead of JSON', async () => {
    world = await ProcessWorld.start();
    const run = npmRun('start:pretty', world.env({ LOG_LEVEL: 'info' }));
    await waitUntil(() => /commands (registered|unchanged)/.test(run.stdout), {
      description: 'readable log lines up to "commands registered"',
    });

    // pino-pretty's layout: `[time] LEVEL (pid): message`, then the fields indented.
    expect(run.stdout).toMatch(/^\[[^\]]+\] INFO \(\d+\): bot ready$/m);
    expect(run.stdout).toMatch(/^ {4}guilds: 1$/m);
    expect(run.stdout).not.toMatch(/^\{"level"/m);
    child!.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);
});
