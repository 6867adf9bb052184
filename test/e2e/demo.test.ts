import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bot-process.js';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'demo-test-'));
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it('shows a newcomer the whole flow with no tokens and saves the delivered mp4', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
      cwd: repoRoot,
      env: { ...process.env, DEMO_OUTPUT_DIR: outDir, DISCORD_TOKEN: '', REPLICATE_API_TOKEN: '' },
      timeout: 60_000,
    });
    expect(stdout).toContain('bot is online; /video registered: video');
    expect(stdout).toMatch(/Discord shows: "Video Bot is thinking…" \(acknowledged in \d+ ms\)/);
    expect(stdout).toMatch(/reply edited: (⏳ In the queue — position 1|Starting…)/);
    expect(stdout).toMatch(/reply edited: 🎬 Generating…/);
    expect(stdout).toMatch(/reply edited: ✅ .*📎 video\.mp4/);
    expect(stdout).toMatch(/follow-up \(pings the member\): <@\d+> your video is ready/);
    expect(stdout).toContain('Replicate received the prompt and exactly the attached image bytes.');
    const video = readFileSync(join(outDir, 'video.mp4'));
    expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp');
  }, 60_000);
});
