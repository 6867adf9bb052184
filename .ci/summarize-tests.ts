/**
 * `.ci/run`'s last word on vitest's JSON report: the "N passed, N failed, N skipped" line, and a failure when any
 * test was skipped. CI starts every server a test needs, so a skipped test there is a test that silently did not
 * run (the Redis and PostgreSQL storage tests once did not exist while the suite reported all green).
 *
 * Usage: `npx tsx .ci/summarize-tests.ts path/to/vitest.json` (exit 1 when a test was skipped).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[];
}

export interface TestSummary {
  line: string;
  /** `file > full test name` of every test that did not run. */
  skipped: string[];
}

const notRun = new Set(['skipped', 'pending', 'todo', 'disabled']);

export function summarizeTests(report: VitestReport, root = process.cwd()): TestSummary {
  const skipped = report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => notRun.has(test.status))
      .map((test) => `${relative(root, file.name)} > ${test.fullName}`),
  );
  const line = `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped.length} skipped`;
  return { line, skipped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = summarizeTests(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as VitestReport);
  console.log(summary.line);
  if (summary.skipped.length > 0) {
    console.error(`CI fails: ${summary.skipped.length} test(s) skipped, though CI starts every server they need:`);
    for (const name of summary.skipped) console.error(`  ${name}`);
    process.exitCode = 1;
  }
}
