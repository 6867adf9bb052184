/** The soak's one table (and, when a target was missed, the log lines that explain it). */
import type { SoakReport } from './run-soak.js';

type Row = [what: string, value: string | number, target?: string];

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function target(value: number, goal: number): string {
  return value <= goal ? `${goal} ✓` : `${goal} ✗ MISSED`;
}

export function tableRows(r: SoakReport): Row[] {
  const t = r.totals;
  const rows: Row[] = [
    ['jobs submitted', t.submitted],
    ['  accepted (acknowledged, not refused)', t.accepted],
    ['  refused at once (ephemeral)', t.refused],
    ['  never acknowledged (member gave up)', t.neverAcknowledged],
    ['  re-sent by the member after no answer', t.memberRetries],
    ['delivered', t.delivered],
    ['failed with a stated reason', t.failed],
    ...t.failedReasons.map((f): Row => [`  ${f.failureClass}: ${shorten(f.reason, 90)}`, f.count]),
    ['canceled by their member', t.canceled],
    ['lost (accepted, never ended)', t.lost, target(t.lost, 0)],
    ['  of which the store holds as ended (the member was never told)', t.lostButEndedInStore],
    ['failed for our own faults', t.failedOurFault, target(t.failedOurFault, 0)],
    ['duplicate predictions (jobs)', t.duplicatePredictions, target(t.duplicatePredictions, 0)],
    ['  predictions adopted by two jobs (jobs sharing one)', t.sharedPredictions, target(t.sharedPredictions, 0)],
    ['duplicate video posts (jobs)', t.duplicateVideoPosts, target(t.duplicateVideoPosts, 0)],
    ['double charges (requests)', t.doubleCharges, target(t.doubleCharges, 0)],
    ['  charged twice', t.chargedTwice],
    ['  charged, video never delivered', t.chargedUndelivered],
    ['duplicate pings (jobs)', t.duplicatePings, '0 (not a soak target)'],
    ['delivered without a ping', t.deliveredWithoutPing],
    ['contradictory end (failure shown after the video, cancel unasked)', t.contradictions],
    ['still active in the store at the end', t.stillActiveInStore],
    ['kills (SIGKILL) / bot starts / failed starts', `${r.kills} / ${r.starts} / ${r.failedStarts}`],
    ['Regenerate pairs pressed (two members at once, identical input)', `${r.regeneratePairsPressed} of ${r.options.regenerates}`],
    ...freezeRows(r),
  ];
  for (const [side, counts] of Object.entries(r.faults)) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    rows.push([`faults injected: ${side}`, total]);
    for (const [label, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) rows.push([`  ${label}`, n]);
  }
  const limitS = Math.round(r.options.timeoutMs / 1000);
  const never =
    r.endedBy === 'idle'
      ? `never (${t.lost} open; cut after ${Math.round(r.options.idleMs / 1000)} s without any job ending)`
      : `not within ${limitS} s`;
  rows.push([
    'time to finish (first job sent → every accepted job ended)',
    r.finishMs === undefined ? never : `${(r.finishMs / 1000).toFixed(1)} s`,
    r.finishMs === undefined ? `< ${limitS} s ✗ MISSED` : `< ${limitS} s ✓`,
  ]);
  if (r.finishMs === undefined && r.lastEndMs !== undefined) {
    rows.push(['  the last job that did end, ended at', `${(r.lastEndMs / 1000).toFixed(1)} s`]);
  }
  rows.push(['wall time (with start-up, the final restart and the tally)', `${(r.wallMs / 1000).toFixed(1)} s`]);
  return rows;
}

/** The lease holders frozen past their lease: whether each stopped by itself, and what it did after SIGCONT. */
function freezeRows(r: SoakReport): Row[] {
  const f = r.freezes;
  if (f.length === 0) return [];
  const sum = (k: 'storeWritesApplied' | 'storeWritesRefused' | 'discordWrites' | 'discordAnswers' | 'replicateCreates' | 'outputDownloads') =>
    f.reduce((n, x) => n + x[k], 0);
  const stopped = f.filter((x) => x.stoppedByItself).length;
  return [
    [`lease holders frozen past the ${r.options.leaseTtlMs / 1000} s lease, then resumed`, f.length],
    [`  stopped by themselves within ${r.options.resumeGraceMs / 1000} s of SIGCONT (the rest were killed)`, stopped, stopped === f.length ? `${f.length} ✓` : `${f.length} ✗ MISSED`],
    ['  after resuming: store writes applied', sum('storeWritesApplied'), target(sum('storeWritesApplied'), 0)],
    ['  after resuming: store writes refused', sum('storeWritesRefused')],
    ['  after resuming: Discord posts and edits', sum('discordWrites'), target(sum('discordWrites'), 0)],
    ['  after resuming: answers to new interactions', sum('discordAnswers')],
    ['  after resuming: predictions created', sum('replicateCreates'), target(sum('replicateCreates'), 0)],
    ['  after resuming: output downloads', sum('outputDownloads')],
  ];
}

export function renderTable(rows: readonly Row[]): string {
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((row) => String(row[i] ?? '').length), 6));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [
    line(['measure', 'value', 'target']),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line([row[0], String(row[1]), row[2] ?? ''])),
  ].join('\n');
}

export function renderReport(r: SoakReport): string {
  const o = r.options;
  const head = `\nchaos soak · seed ${o.seed} · ${o.jobs} jobs over ${o.guilds} guilds and ${o.members} members · ${o.kills} kills, ${o.freezes} freezes · ${o.regenerates} Regenerate pairs · output outages for ${o.outputOutageRate * 100} % of predictions · store ${o.store} · chaos ×${o.chaos}, ${o.storms} storm(s) per side`;
  const out = [head, renderTable(tableRows(r))];
  out.push(r.misses.length === 0 ? '\nTARGET HELD' : `\nTARGET MISSED: ${r.misses.join(', ')}`);
  for (const { what, jobs } of r.explanations) {
    out.push(`\n${what}:`);
    for (const job of jobs) {
      const v = r.verdicts.find((x) => x.tag === job.tag)!;
      const detail = `predictions ${v.predictions} (shared ${v.sharedPredictions}, unclaimed ${v.unclaimedPredictions}), video posts ${v.videoPosts}, pings ${v.pings}, charges ${v.charges}`;
      out.push(`  ${job.tag} (job ${job.jobId ?? '?'}): ${v.outcome}${v.reason ? ` — ${v.reason}` : ''}${v.contradiction ? ` — ${v.contradiction}` : ''}; ${detail}, store ${v.storeState ?? '-'}`);
      for (const line of job.lines) out.push(`      ${line}`);
    }
  }
  return out.join('\n');
}
