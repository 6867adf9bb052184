/**
 * Runs the benchmarks, each scenario in a fresh `node --expose-gc --import tsx` process (so one scenario's heap
 * and sockets do not colour the next), and prints their figures. Results land in bench/out/*.json.
 *
 *   npm run bench                 everything (~3 minutes on 2 cores)
 *   npm run bench -- ack          acknowledgement latency only (also: scheduler, polling, memory, report, recovery)
 *   npm run bench -- ack:rate     one scenario by name (see `scenarios` below)
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outDir } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));

const scenarios: { name: string; group: string; file: string; args: string[] }[] = [
  { name: 'ack:burst', group: 'ack', file: 'ack-latency.ts', args: ['burst', 'in-process'] },
  { name: 'ack:burst-child', group: 'ack', file: 'ack-latency.ts', args: ['burst', 'child-process'] },
  { name: 'ack:rate', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'in-process'] },
  { name: 'ack:rate-child', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'child-process'] },
  { name: 'ack:burst-child-moderated', group: 'ack', file: 'ack-latency.ts', args: ['burst', 'child-process', '4096', '1000', 'moderated'] },
  { name: 'ack:rate-child-moderated', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'child-process', '4096', '1000', 'moderated'] },
  { name: 'ack:burst-child-floor', group: 'ack', file: 'ack-latency.ts', args: ['burst', 'child-process', '4096', '1000', 'floor'] },
  { name: 'ack:rate-child-floor', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'child-process', '4096', '1000', 'floor'] },
  { name: 'ack:rate500-child', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'child-process', '4096', '500'] },
  { name: 'ack:rate250-child', group: 'ack', file: 'ack-latency.ts', args: ['rate', 'child-process', '4096', '250'] },
  { name: 'ack:burst-child-2shards', group: 'ack', file: 'ack-sharded.ts', args: ['burst', '2'] },
  { name: 'ack:rate-child-2shards', group: 'ack', file: 'ack-sharded.ts', args: ['rate', '2'] },
  { name: 'ack:burst-backlog511', group: 'ack', file: 'ack-latency.ts', args: ['burst', 'in-process', '511'] },
  { name: 'scheduler', group: 'scheduler', file: 'scheduler.ts', args: [] },
  { name: 'polling', group: 'polling', file: 'polling.ts', args: [] },
  { name: 'polling:account-budget', group: 'polling', file: 'account-budget.ts', args: [] },
  { name: 'memory:queued', group: 'memory', file: 'memory.ts', args: ['queued'] },
  { name: 'memory:delivery-direct', group: 'memory', file: 'memory.ts', args: ['delivery:direct'] },
  { name: 'memory:delivery-reencode', group: 'memory', file: 'memory.ts', args: ['delivery:reencode'] },
  { name: 'memory:upload', group: 'memory', file: 'memory.ts', args: ['upload'] },
  { name: 'report:usage', group: 'report', file: 'usage-report.ts', args: [] },
  { name: 'webhooks', group: 'webhooks', file: 'webhooks.ts', args: [] },
  // Redis and PostgreSQL read BENCH_REDIS_URL / BENCH_POSTGRES_URL (else TEST_*) and skip with a line without one.
  { name: 'recovery:sqlite', group: 'recovery', file: 'recovery.ts', args: ['sqlite'] },
  { name: 'recovery:redis', group: 'recovery', file: 'recovery.ts', args: ['redis'] },
  { name: 'recovery:postgres', group: 'recovery', file: 'recovery.ts', args: ['postgres'] },
];

function runScenario(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file), ...args], {
      stdio: 'inherit',
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const wanted = process.argv.slice(2);
const selected = wanted.length
  ? scenarios.filter((s) => wanted.includes(s.group) || wanted.includes(s.name))
  : scenarios;
if (selected.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}; try: ack, scheduler, polling, memory, report, recovery, or ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const s of selected) {
  // Other work on the machine skews latency figures: show the load the scenario starts under.
  console.log(`\n=== ${s.name} === (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const started = Date.now();
  const code = await runScenario(s.file, s.args);
  console.log(`(${s.name}: ${((Date.now() - started) / 1000).toFixed(1)} s${code === 0 ? '' : `, exit ${code}`})`);
  if (code !== 0) failed++;
}
console.log(`\nJSON results in ${outDir}`);
process.exit(failed ? 1 : 0);
