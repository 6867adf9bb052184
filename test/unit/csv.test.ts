import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/report/csv.js';
import { parseCsv } from '../harness/csv-reader.js';

describe('CSV export', () => {
  it('round-trips prompts with commas, quotes, newlines and Unicode', () => {
    const prompts = ['a cat, a dog', 'she said "hi"', 'line one\nline two\r\nline three', 'émoji 🎬 ok', ''];
    const csv = toCsv(['job', 'prompt'], prompts.map((p, i) => [`j${i}`, p]));
    expect(parseCsv(csv)).toEqual([['job', 'prompt'], ...prompts.map((p, i) => [`j${i}`, p])]);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('neutralises text cells a spreadsheet would run as a formula, and leaves numbers alone', () => {
    const rows = parseCsv(toCsv(['prompt', 'seconds', 'cost'], [
      ['=HYPERLINK("http://x","y")', 5, -0.25],
      ['+1+1', 10, 0.5],
      ['-2', 5, 0],
      ['@SUM(A1)', 5, 0],
      ['\tindented', 5, 0],
    ]));
    expect(rows.slice(1).map((r) => r[0])).toEqual(["'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2", "'@SUM(A1)", "'\tindented"]);
    expect(rows[1]![2]).toBe('-0.25');
  });

  it('writes empty cells for missing values', () => {
    expect(toCsv(['a', 'b'], [[null, undefined]])).toBe('a,b\r\n,\r\n');
  });
});
