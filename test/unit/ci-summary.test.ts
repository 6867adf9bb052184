import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bot-process.js';

/** The shape vitest 4's JSON reporter writes (statuses as observed for it.skip, describe.skipIf and it.todo). */
function report(statuses: string[]) {
  return {
    numPassedTests: statuses.filter((s) => s === 'passed').length,
    numFailedTests: statuses.filter((s) => s === 'failed').length,
    numPendingTests: statuses.filter((s) => s === 'skipped').length,
    numTodoTests: statuses.filter((s) => s === 'todo').length,
    testResults: [
      {
        name: join(repoRoot, 'test/unit/storage.test.ts'),
        assertionResults: statuses.map((status, i) => ({ status, fullName: `redis store case ${i}` })),
      },
    ],
  };
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function summarize(statuses: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
  dirs.push(dir);
  const file = join(dir, 'vitest.json');
  writeFileSync(file, JSON.stringify(report(statuses)));
  return spawnSync(process.execPath, ['--import', 'tsx', '.ci/summarize-tests.ts', file], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

describe('the CI test summary', () => {
  it('prints the counts and succeeds when every test ran', () => {
    const run = summarize(['passed', 'passed', 'failed']);
    expect(run.stdout).toBe('2 passed, 1 failed, 0 skipped\n');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('fails CI and names every test that was skipped or left todo', () => {
    const run = summarize(['passed', 'skipped', 'todo']);
    expect(run.stdout).toBe('1 passed, 0 failed, 2 skipped\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('test/unit/storage.test.ts > redis store case 1');
    expect(run.stderr).toContain('test/unit/storage.test.ts > redis store case 2');
    expect(run.stderr).not.toContain('case 0');
  });
});
