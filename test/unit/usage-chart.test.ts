import { describe, expect, it } from 'vitest';
import { chartSize, renderUsageChart, renderUsageSvg, type UsageChartInput } from '../../src/report/usage-chart.js';
import { decodePng } from '../harness/png.js';

const input: UsageChartInput = {
  title: 'Video seconds per day · Dec 1–7',
  days: ['Dec 1', 'Dec 2', 'Dec 3', 'Dec 4', 'Dec 5', 'Dec 6', 'Dec 7'],
  series: [
    { name: 'alice', seconds: [10, 0, 20, 5, 0, 0, 15] },
    { name: 'bob', seconds: [5, 5, 0, 10, 0, 0, 0] },
    { name: 'others', seconds: [0, 10, 5, 0, 0, 0, 5] },
  ],
};

describe('the usage chart', () => {
  it('draws the title, every day, every member and the axis name as text', () => {
    const svg = renderUsageSvg(input);
    for (const label of [input.title, ...input.days, 'alice', 'bob', 'others', 'seconds of video']) expect(svg).toContain(label);
  });

  it('renders a PNG of the expected size with drawn content on the dark background', () => {
    const png = decodePng(renderUsageChart(input));
    expect({ width: png.width, height: png.height }).toEqual(chartSize);
    expect(png.pixel(2, 2)).toEqual([0x2b, 0x2d, 0x31]);
    const colours = new Set<string>();
    for (let y = 0; y < png.height; y += 5) for (let x = 0; x < png.width; x += 5) colours.add(png.pixel(x, y).join(','));
    // The three stacks' colours are there, not only the background.
    for (const colour of ['88,101,242', '87,242,135', '254,231,92']) expect(colours).toContain(colour);
  });

  it('draws its labels with the shipped font: the same chart with no text differs', () => {
    const withText = renderUsageChart(input);
    const noLabels = renderUsageChart({ ...input, title: '', days: input.days.map(() => ''), series: input.series.map((s) => ({ ...s, name: '' })) });
    expect(withText.equals(noLabels)).toBe(false);
    expect(withText.length).toBeGreaterThan(noLabels.length);
  });

  it('gives the same bytes for the same figures', () => {
    expect(renderUsageChart(input).equals(renderUsageChart(input))).toBe(true);
  });
});
