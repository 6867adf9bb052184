import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bot-process.js';
import { parseCsv } from '../harness/csv-reader.js';
import { decodePng } from '../harness/png.js';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'demo-test-'));
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it("shows a newcomer the member's and the moderator's flow with no tokens and saves the mp4, the usage chart and the CSV", async () => {
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

    // The moderator's flow: a 5-second allowance, the member's next request refused, then the usage report saved.
    expect(stdout).toContain('moderator sees (only them): Saved. Now in force: | • default allowance: 60 s → 5 s');
    expect(stdout).toMatch(/refused, only mia sees: You have 0 of 5 seconds left today; this video needs 5\. Resets <t:\d+:R>\./);
    expect(stdout).toMatch(/Video usage · Demo Server: Videos delivered 1 · Seconds of video 5 s .*📎 usage\.png/);
    expect(stdout).toContain(`Saved the usage chart to ${join(outDir, 'usage.png')}`);
    expect(stdout).toMatch(/The #mod-log channel holds 2 entries/);
    const png = decodePng(readFileSync(join(outDir, 'usage.png')));
    expect({ width: png.width, height: png.height }).toEqual({ width: 1000, height: 500 });
    const colours = new Set<string>();
    for (let x = 0; x < png.width; x += 7) for (let y = 0; y < png.height; y += 7) colours.add(png.pixel(x, y).join(','));
    expect(colours.size).toBeGreaterThan(10);
    const [header, ...rows] = parseCsv(readFileSync(join(outDir, 'usage.csv'), 'utf8'));
    expect(header).toEqual(['job_id', 'accepted_at', 'member_id', 'seconds', 'state', 'estimated_cost_usd', 'prompt']);
    expect(rows).toEqual([[expect.any(String), expect.any(String), '1300000000000000010', '5', 'done', '0.25', 'a paper boat drifting down a rainy street, cinematic']]);
  }, 60_000);
});
