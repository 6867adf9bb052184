import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/keyv-store.js';
import { repoRoot } from '../harness/bot-process.js';

function writer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/sqlite-writer-main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('one SQLite file shared by several processes on one machine', () => {
  it('three shard processes writing at once all land every write: a locked file is waited for, never a fault', async () => {
    const url = `sqlite://${join(mkdtempSync(join(tmpdir(), 'sqlite-shared-')), 'bot.sqlite')}`;
    const owners = ['shard-0', 'shard-1', 'shard-2'];
    const results = await Promise.all(owners.map((owner) => writer({ STORE_URL: url, OWNER: owner, JOBS: '300' })));
    expect(results).toEqual(owners.map(() => ({ code: 0, stderr: '' })));

    const log = pino({ level: 'silent' });
    for (const owner of owners) {
      const store = await openStore(url, log, { owner });
      expect(await store.listActiveJobs()).toHaveLength(270);
      expect(await store.getMeta(`written:${owner}`)).toBe(300);
      await store.close();
    }
  }, 60_000);
});
