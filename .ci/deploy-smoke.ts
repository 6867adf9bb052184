/**
 * `npx tsx .ci/deploy-smoke.ts <dir>`: runs the bot installed in <dir> (a copy of what the Docker image holds,
 * production dependencies only) the way the image's CMD does, against the test stand-ins of this checkout, and proves:
 * it logs in, `/healthz` answers 200 and `/metrics` Prometheus text, a /video is delivered, and SIGTERM stops it with
 * exit 0 within 10 s. Prints one line per step; exits 1 at the first that fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeDiscord } from '../test/fakes/discord/fake-discord.js';
import { startFakeReplicate } from '../test/fakes/replicate/fake-replicate.js';
import { freePort } from '../test/harness/free-port.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: deploy-smoke.ts <installed copy>');

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const discord = await startFakeDiscord();
const replicate = await startFakeReplicate({ defaultDurationMs: 300 });
const data = mkdtempSync(join(tmpdir(), 'deploy-smoke-'));
const port = await freePort();
// Only what the image's environment would hold: no developer .env, no devDependencies on any path.
const child = spawn('npm', ['start'], {
  cwd: dir,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DISCORD_TOKEN: discord.botToken,
    REPLICATE_API_TOKEN: replicate.token,
    DISCORD_API_URL: discord.apiUrl,
    REPLICATE_API_URL: replicate.baseUrl,
    REPLICATE_POLL_INTERVAL_MS: '50',
    STORAGE_URL: `sqlite://${join(data, 'bot.sqlite')}`,
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    QUOTA_DEFAULT_SECONDS: 'unlimited',
  },
});
let output = '';
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) });

let failed = false;
try {
  await until('the bot to log in (/healthz 200)', async () => ((await get('/healthz')).status === 200 ? true : undefined));
  console.log('deploy smoke: npm start in the production install logged in; /healthz 200');
  const metrics = await (await get('/metrics')).text();
  if (!/^# TYPE videobot_jobs gauge$/m.test(metrics)) throw new Error('/metrics has no videobot_jobs gauge');
  console.log('deploy smoke: /metrics answers Prometheus text');
  const sent = discord.sendSlashCommand({ name: 'video', options: { prompt: 'a lighthouse at dusk' } });
  await until('the video delivered', () => (discord.interaction(sent.id).followUps.length > 0 ? true : undefined));
  console.log('deploy smoke: a /video was delivered');
  const stopAt = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0 || Date.now() - stopAt > 10_000) throw new Error(`SIGTERM: exit ${code} after ${Date.now() - stopAt} ms`);
  console.log(`deploy smoke: SIGTERM stopped it with exit 0 in ${Date.now() - stopAt} ms`);
} catch (err) {
  failed = true;
  console.error(`deploy smoke FAILED: ${(err as Error).message}\n--- bot output ---\n${output.slice(-4000)}`);
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  await discord.close();
  await replicate.close();
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
