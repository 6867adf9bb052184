import { describe, expect, it } from 'vitest';
import { chartSize } from '../../src/report/usage-chart.js';
import { runAdmin } from '../harness/admin-steps.js';
import { parseCsv } from '../harness/csv-reader.js';
import { decodePng } from '../harness/png.js';
import { useWorld } from '../harness/use-world.js';
import { failureShown, readyPing, requestVideo } from '../harness/video-steps.js';

const amy = { id: '257000000000000001', username: 'amy' };
const ben = { id: '257000000000000002', username: 'ben' };

describe('the usage report', () => {
  const world = useWorld({ env: { USER_PENDING_LIMIT: '10', PRICE_PER_SECOND_USD: '0.05' } });

  it("shows the period's figures, a chart inside the embed and a CSV that parses back to the period's jobs", async () => {
    const w = world();
    const tricky = 'a "quoted", comma, and\nnew line';
    await readyPing(w, requestVideo(w, amy, tricky));
    await readyPing(w, w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'ten seconds', duration: 10 } }));
    await readyPing(w, requestVideo(w, ben, '=HYPERLINK("http://x")'));
    w.replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    await failureShown(w, requestVideo(w, ben, 'fails'), /could not make/);

    const report = await runAdmin(w, 'usage', { period: 'month' });
    expect(report.ephemeral).toBe(true);
    const embeds = JSON.stringify(report.original!.embeds);
    expect(embeds).toContain('attachment://usage.png');
    expect(embeds).toMatch(/\b3\b/); // videos
    expect(embeds).toMatch(/\b20\b/); // seconds: 5 + 10 + 5
    expect(embeds).toContain('$1.00');
    expect(embeds).toContain(`<@${amy.id}>`);

    const files = report.original!.attachments;
    const chart = files.find((f) => f.filename === 'usage.png')!;
    const png = decodePng(chart.bytes);
    expect({ width: png.width, height: png.height }).toEqual(chartSize);
    const colours = new Set<string>();
    for (let x = 0; x < png.width; x += 7) for (let y = 0; y < png.height; y += 7) colours.add(png.pixel(x, y).join(','));
    expect(colours.size).toBeGreaterThan(10);

    const csv = files.find((f) => f.filename.endsWith('.csv'))!;
    const [header, ...rows] = parseCsv(csv.bytes.toString('utf8'));
    expect(header).toEqual(['job_id', 'accepted_at', 'member_id', 'seconds', 'state', 'estimated_cost_usd', 'prompt']);
    expect(rows).toHaveLength(4);
    const byPrompt = new Map(rows.map((r) => [r[6], r]));
    expect(byPrompt.get(tricky)).toMatchObject({ 2: amy.id, 3: '5', 4: 'done' });
    expect(byPrompt.get('ten seconds')).toMatchObject({ 3: '10', 4: 'done', 5: '0.5' });
    expect(byPrompt.get("'=HYPERLINK(\"http://x\")")).toMatchObject({ 2: ben.id, 4: 'done' });
    expect(byPrompt.get('fails')).toMatchObject({ 4: 'failed', 5: '0' });
    for (const row of rows) expect(new Date(row[1]!).toISOString()).toBe(row[1]);

    const own = await runAdmin(w, 'usage', { member: ben.id });
    const ownCsv = own.original!.attachments.find((f) => f.filename.endsWith('.csv'))!;
    expect(parseCsv(ownCsv.bytes.toString('utf8')).slice(1).map((r) => r[2])).toEqual([ben.id, ben.id]);
  });
});
