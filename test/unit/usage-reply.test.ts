import { inflateRawSync } from 'node:zlib';
import { embedLength, type APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/quota/period.js';
import { chartSize } from '../../src/report/usage-chart.js';
import { chartRoom, legendName, renderUsageReply, type UsageReplyInput } from '../../src/report/usage-reply.js';
import type { UsageRow } from '../../src/report/usage-report.js';
import { parseCsv } from '../harness/csv-reader.js';
import { decodePng } from '../harness/png.js';
import { SeededRandom } from '../harness/seeded-random.js';

const at = (day: number, hour = 12) => Date.UTC(2026, 11, day, hour);
const week = periodOf('week', at(1));
let n = 0;
const row = (userId: string, seconds: number, state: UsageRow['state'], day: number, prompt = `prompt ${n}`): UsageRow => ({
  jobId: `job-${String(++n).padStart(3, '0')}`,
  acceptedAt: at(day, n % 24),
  userId,
  seconds,
  state,
  prompt,
});

const alice = '1400000000000000001';
const bob = '1400000000000000002';
const tricky = 'a fox, "quoted"\nin snow';
const formula = '=cmd|"/c calc"!A1';
const rows: UsageRow[] = [
  row(alice, 10, 'done', 1, tricky), row(alice, 5, 'done', 2), row(bob, 5, 'done', 2, formula), row(bob, 5, 'failed', 3),
  row(alice, 10, 'canceled', 3), row(bob, 5, 'running', 4), row('1400000000000000003', 10, 'done', 5),
];
const names: Record<string, string> = { [alice]: 'Alice', [bob]: 'Bob 🦊' };
const input: UsageReplyInput = { rows, period: week, guildName: 'Fox Den', pricePerSecondUsd: 0.05, nameOf: (id) => names[id] ?? 'someone' };

const background = '43,45,49';
function drawnColours(png: Buffer): Map<string, number> {
  const image = decodePng(png);
  const counts = new Map<string, number>();
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 2) {
      const key = image.pixel(x, y).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function fieldsOf(embed: APIEmbed): Record<string, string> {
  return Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
}

function expectWithinDiscordLimits(embed: APIEmbed): void {
  expect(embed.title!.length).toBeLessThanOrEqual(256);
  expect(embed.description!.length).toBeLessThanOrEqual(4096);
  expect(embed.fields!.length).toBeLessThanOrEqual(25);
  for (const field of embed.fields!) {
    expect(field.name.length).toBeLessThanOrEqual(256);
    expect(field.value.length).toBeGreaterThan(0);
    expect(field.value.length).toBeLessThanOrEqual(1024);
  }
  expect(embed.footer!.text.length).toBeLessThanOrEqual(2048);
  expect(embedLength(embed)).toBeLessThanOrEqual(6000);
}

/** The one file of a single-file ZIP. */
function unzipOne(zip: Buffer): { name: string; data: Buffer } {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const packedSize = zip.readUInt32LE(18);
  const nameLength = zip.readUInt16LE(26);
  const name = zip.toString('utf8', 30, 30 + nameLength);
  const data = inflateRawSync(zip.subarray(30 + nameLength, 30 + nameLength + packedSize));
  expect(data.length).toBe(zip.readUInt32LE(22));
  return { name, data };
}

describe('the usage report reply', () => {
  it('shows videos, seconds, the estimated cost, failures and cancels, pending seconds and the top members', async () => {
    const { embeds } = await renderUsageReply(input);
    const [embed] = embeds;
    expect(embed!.title).toBe('Video usage · Fox Den');
    expect(embed!.description).toContain('**Nov 30 – Dec 6, 2026** (UTC week');
    expect(fieldsOf(embed!)).toEqual({
      'Videos delivered': '4',
      'Seconds of video': '30 s',
      'Estimated cost': '$1.50 (estimate)',
      'Failed · canceled': '1 · 1',
      Pending: '5 s on their way',
      'Top members': [
        `1. <@${alice}> · 15 s · 2 videos · $0.75`,
        '2. <@1400000000000000003> · 10 s · 1 video · $0.50',
        `3. <@${bob}> · 5 s · 1 video · $0.25`,
      ].join('\n'),
    });
    expect(embed!.footer!.text).toContain('estimate at $0.05 per second');
    expectWithinDiscordLimits(embed!);
  });

  it('shows the chart inside the embed and attaches the period’s CSV beside it', async () => {
    const { embeds, files } = await renderUsageReply(input);
    expect(embeds[0]!.image).toEqual({ url: 'attachment://usage.png' });
    expect(files.map((f) => [f.name, f.contentType])).toEqual([
      ['usage.png', 'image/png'],
      ['usage-week-2026-11-30.csv', 'text/csv; charset=utf-8'],
    ]);
  });

  it('draws a PNG of the expected size with the members’ stacks on it, not a blank picture', async () => {
    const png = (await renderUsageReply(input)).files[0]!.data;
    const image = decodePng(png);
    expect({ width: image.width, height: image.height }).toEqual(chartSize);
    const colours = drawnColours(png);
    const drawn = [...colours].filter(([colour]) => colour !== background).reduce((sum, [, count]) => sum + count, 0);
    expect(drawn).toBeGreaterThan(2000);
    // Alice, the third member and Bob in the first three colours of the palette.
    for (const colour of ['88,101,242', '87,242,135', '254,231,92']) expect(colours.get(colour) ?? 0).toBeGreaterThan(50);
  });

  it('writes a CSV that parses back to the period’s jobs, prompts intact and a formula neutralised', async () => {
    const csv = (await renderUsageReply(input)).files[1]!.data.toString('utf8');
    const [header, ...lines] = parseCsv(csv);
    expect(header).toEqual(['job_id', 'accepted_at', 'member_id', 'seconds', 'state', 'estimated_cost_usd', 'prompt']);
    const expected = [...rows].sort((a, b) => a.acceptedAt - b.acceptedAt);
    expect(lines.map((l) => l[0])).toEqual(expected.map((r) => r.jobId));
    const byId = new Map(lines.map((l) => [l[0], l]));
    expect(byId.get(rows[0]!.jobId)).toEqual([rows[0]!.jobId, new Date(rows[0]!.acceptedAt).toISOString(), alice, '10', 'done', '0.5', tricky]);
    expect(byId.get(rows[2]!.jobId)![6]).toBe(`'${formula}`);
    expect(byId.get(rows[3]!.jobId)!.slice(4, 6)).toEqual(['failed', '0']);
  });

  it('gives a member’s own figures, chart and CSV when a member is asked for', async () => {
    const reply = await renderUsageReply({ ...input, member: bob });
    const [embed] = reply.embeds;
    expect(embed!.description).toContain(`Member: <@${bob}>`);
    expect(fieldsOf(embed!)).toEqual({
      'Videos delivered': '1',
      'Seconds of video': '5 s',
      'Estimated cost': '$0.25 (estimate)',
      'Failed · canceled': '1 · 0',
      Pending: '5 s on their way',
      'Share of the server': '17% of delivered seconds',
    });
    expect(reply.files[1]!.name).toBe(`usage-week-2026-11-30-${bob}.csv`);
    const [, ...lines] = parseCsv(reply.files[1]!.data.toString('utf8'));
    expect(new Set(lines.map((l) => l[2]))).toEqual(new Set([bob]));
    expect(lines).toHaveLength(3);
    const colours = drawnColours(reply.files[0]!.data);
    // One stack only: the first colour, no second.
    expect(colours.get('88,101,242') ?? 0).toBeGreaterThan(50);
    expect(colours.get('87,242,135') ?? 0).toBe(0);
    expectWithinDiscordLimits(embed!);
  });

  it('says clearly when a period has no videos, and still attaches a chart with its title and axes', async () => {
    const reply = await renderUsageReply({ ...input, rows: [], period: periodOf('month', at(1)) });
    const [embed] = reply.embeds;
    expect(embed!.description).toContain('No videos in this period.');
    expect(embed!.description).toContain('**December 2026**');
    expect(fieldsOf(embed!)['Videos delivered']).toBe('0');
    expect(fieldsOf(embed!)['Top members']).toBeUndefined();
    expect(reply.files.map((f) => f.name)).toEqual(['usage.png', 'usage-month-2026-12.csv']);
    const colours = drawnColours(reply.files[0]!.data);
    // Text (title, day labels, the note) and grid lines are drawn; no bars.
    expect(colours.get('219,222,225') ?? 0).toBeGreaterThan(20);
    expect(colours.get('64,66,73') ?? 0).toBeGreaterThan(200);
    expect(colours.get('88,101,242') ?? 0).toBe(0);
    expect(parseCsv(reply.files[1]!.data.toString('utf8'))).toHaveLength(1);
    expectWithinDiscordLimits(embed!);
  });

  it('zips the CSV when it is over the attachment limit, and says so', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => row(i % 2 ? alice : bob, 5, 'done', 1 + (i % 7), `a long prompt number ${i} `.repeat(8)));
    const plain = (await renderUsageReply({ ...input, rows: many })).files[1]!;
    // The reply keeps 256 KiB for the chart: one byte less than the plain CSV is left for it.
    const maxFileBytes = chartRoom + plain.data.length - 1;
    const reply = await renderUsageReply({ ...input, rows: many, maxFileBytes });
    const file = reply.files[1]!;
    expect(file.name).toBe('usage-week-2026-11-30.csv.zip');
    expect(file.contentType).toBe('application/zip');
    expect(reply.files[0]!.data.length + file.data.length).toBeLessThanOrEqual(maxFileBytes);
    expect(file.data.length).toBeLessThan(plain.data.length / 2);
    const inner = unzipOne(file.data);
    expect(inner.name).toBe('usage-week-2026-11-30.csv');
    expect(inner.data.equals(plain.data)).toBe(true);
    expect(reply.embeds[0]!.footer!.text).toContain('The CSV is zipped');
  });

  it('cuts prompts, then leaves the CSV out, when even the zipped CSV is too large', async () => {
    const random = new SeededRandom(6);
    const letters = 'abcdefghijklmnopqrstuvwxyz ';
    const noise = () => Array.from({ length: 600 }, () => letters[random.int(0, letters.length - 1)]).join('');
    const many = Array.from({ length: 2000 }, (_, i) => row(alice, 5, 'done', 1, `${i} ${noise()}`));
    const zipped = await renderUsageReply({ ...input, rows: many, maxFileBytes: chartRoom + 400_000 });
    expect(zipped.files[1]!.name).toBe('usage-week-2026-11-30.csv.zip');
    const [, ...lines] = parseCsv(unzipOne(zipped.files[1]!.data).data.toString('utf8'));
    expect(lines).toHaveLength(2000);
    expect(Math.max(...lines.map((l) => l[6]!.length))).toBe(200);
    expect(zipped.embeds[0]!.footer!.text).toContain('prompts are cut to 200 characters');
    const none = await renderUsageReply({ ...input, rows: many, maxFileBytes: chartRoom + 1000 });
    expect(none.files.map((f) => f.name)).toEqual(['usage.png']);
    expect(none.embeds[0]!.footer!.text).toContain('The CSV is left out');
  });

  it('keeps every text inside Discord’s limits whatever the guild is called', async () => {
    const [embed] = (await renderUsageReply({ ...input, guildName: 'x'.repeat(400) })).embeds;
    expectWithinDiscordLimits(embed!);
  });

  it('gives the same reply from rows given day by day, letting other work run in between', async () => {
    const days = new Map<string, UsageRow[]>();
    for (const r of rows) {
      const day = new Date(r.acceptedAt).toISOString().slice(0, 10);
      days.set(day, [...(days.get(day) ?? []), r]);
    }
    const byDay = async function* () {
      for (const day of [...days.keys()].sort()) yield days.get(day)!;
    };
    let turns = 0;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    let running = true;
    setImmediate(tick);
    const streamed = await renderUsageReply({ ...input, rows: byDay });
    running = false;
    const whole = await renderUsageReply(input);
    expect(streamed.embeds).toEqual(whole.embeds);
    expect(streamed.files.map((f) => [f.name, f.data.toString('base64')])).toEqual(whole.files.map((f) => [f.name, f.data.toString('base64')]));
    expect(turns).toBeGreaterThan(days.size / 2);
  });
});

describe('legend names', () => {
  it('drop what the chart font cannot draw, stay short, and fall back to the id', () => {
    expect(legendName('Bob 🦊', '1400000000000000002')).toBe('Bob');
    expect(legendName('Zoë Ελένη Пётр', '1')).toBe('Zoë Ελένη Пётр');
    expect(legendName('🦊🦊', '1400000000000000002')).toBe('member …0002');
    expect(legendName('狐狸', '1400000000000000009')).toBe('member …0009');
    expect(legendName('a'.repeat(40), '1')).toHaveLength(20);
  });
});
