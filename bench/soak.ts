/**
 * `npm run soak`: the chaos soak (bench/soak/run-soak.ts). Prints one table and exits non-zero when a target is
 * missed: 0 lost, 0 duplicate predictions, 0 duplicate video posts, 0 double charges, 0 failed for our own faults,
 * no resumed lease holder writing, finished in time.
 *
 *   npm run soak                                  200 jobs, 10 kills, 2 freezes, 6 Regenerate pairs, seed 1, SQLite
 *   npm run soak -- --jobs 30 --kills 2 --seed 7
 *   npm run soak -- --store redis                  on a redis-server the soak starts on a free port
 *   npm run soak -- --store redis://127.0.0.1:6391/9   (that database is emptied; storms set maxmemory server-wide)
 *   npm run soak -- --chaos 0                      kills only, no random faults (storms stay unless --storms 0)
 *   npm run soak -- --freezes 0 --regenerates 0 --output-outage-rate 0   without the issue 11 fault kinds
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { outDir, writeResult } from './lib/stats.js';
import { defaultOptions, type SoakOptions } from './soak/plan.js';
import { renderReport } from './soak/report.js';
import { runSoak } from './soak/run-soak.js';

function parseArgs(argv: string[]): SoakOptions {
  const o: SoakOptions = { ...defaultOptions };
  const numbers = ['jobs', 'kills', 'seed', 'guilds', 'members', 'chaos', 'storms', 'freezes', 'regenerates', 'outputOutageRate', 'leaseTtlMs'] as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [dashed, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined];
    const flag = dashed?.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = inline ?? argv[++i];
    if (flag === 'store' && value) o.store = value;
    else if (flag === 'timeout' && value) o.timeoutMs = Number(value) * 1000;
    else if (flag === 'idle' && value) o.idleMs = Number(value) * 1000;
    else if ((numbers as readonly string[]).includes(flag ?? '') && value !== undefined && Number.isFinite(Number(value))) {
      (o as unknown as Record<string, number>)[flag!] = Number(value);
    } else {
      console.error(
        `unknown or incomplete option ${arg}; options: --jobs N --kills N --seed N --store sqlite|redis|redis://… --guilds N --members N --chaos F --storms N --freezes N --regenerates N --output-outage-rate F --lease-ttl-ms MS --timeout S --idle S`,
      );
      process.exit(2);
    }
  }
  if (!(o.store === 'sqlite' || o.store === 'redis' || /^rediss?:\/\//.test(o.store))) {
    console.error('--store must be sqlite, redis (a server of its own) or a redis:// URL');
    process.exit(2);
  }
  return o;
}

const options = parseArgs(process.argv.slice(2));
console.log(`chaos soak: seed ${options.seed} (run again with --seed ${options.seed})`);
const logPath = join(outDir, `soak-seed${options.seed}.log.jsonl`);
mkdirSync(outDir, { recursive: true });
const report = await runSoak(options, (line) => console.log(`  ${line}`), logPath);
console.log(renderReport(report));
const path = writeResult(`soak-seed${options.seed}`, report);
console.log(`\nevery job's verdict: ${path}\nevery bot log line: ${logPath}`);
process.exit(report.misses.length === 0 ? 0 : 1);
