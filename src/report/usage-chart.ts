import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/**
 * The usage chart: seconds of video per day across the period, stacked by the top members (the rest as
 * "others"), drawn in-process (echarts' server-side SVG, then resvg to PNG) with a font shipped by npm, so it looks
 * the same on every host. Colours are chosen for Discord's dark theme.
 */
export interface UsageChartInput {
  title: string;
  /** Category labels, one per day (e.g. `Dec 1`). */
  days: string[];
  /** One stack per member, then "others"; `seconds[i]` is for `days[i]`. */
  series: { name: string; seconds: number[]; /** The rest of the members: drawn in a neutral grey. */ others?: boolean }[];
  /** A line in the middle of the plot, e.g. "No videos in this period" (the axes are still drawn). */
  note?: string;
}

export const chartSize = { width: 1000, height: 500 };

const fontFile = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const background = '#2b2d31';
const text = '#dbdee1';
const grid = '#404249';
const othersColour = '#8e9297';
const palette = ['#5865f2', '#57f287', '#fee75c', '#eb459e', '#ed4245', '#3ba55c', '#faa61a', '#9b84ee', '#45ddc0', '#8e9297'];

export function renderUsageSvg(input: UsageChartInput): string {
  // With nothing to stack echarts draws no value axis at all: give it a range so an empty period still has axes.
  const empty = input.series.every((s) => s.seconds.every((v) => v === 0));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...chartSize });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: background,
      color: palette,
      textStyle: { fontFamily: 'DejaVu Sans', color: text },
      title: { text: input.title, left: 'center', top: 12, textStyle: { color: text, fontSize: 20, fontWeight: 'bold' } },
      legend: { bottom: 10, itemGap: 18, textStyle: { color: text, fontSize: 13 }, data: input.series.map((s) => s.name) },
      grid: { left: 70, right: 30, top: 60, bottom: 80 },
      xAxis: {
        type: 'category',
        data: input.days,
        axisLabel: { color: text, fontSize: 12 },
        axisLine: { lineStyle: { color: grid } },
      },
      yAxis: {
        type: 'value',
        name: 'seconds of video',
        nameTextStyle: { color: text, fontSize: 12 },
        minInterval: 5,
        ...(empty ? { min: 0, max: 60, interval: 15 } : {}),
        axisLabel: { color: text, fontSize: 12, formatter: (value: number) => value.toLocaleString('en-US') },
        splitLine: { lineStyle: { color: grid } },
      },
      series: [
        ...input.series.map((s) => ({
          name: s.name,
          type: 'bar',
          stack: 'members',
          data: s.seconds,
          barMaxWidth: 40,
          ...(s.others ? { itemStyle: { color: othersColour } } : {}),
        })),
        // An invisible series keeps the category axis and the grid when there are no members to draw.
        ...(input.series.length === 0 ? [{ type: 'bar', data: input.days.map(() => 0), silent: true }] : []),
      ],
      ...(input.note
        ? { graphic: { type: 'text', left: 'center', top: 'middle', style: { text: input.note, fill: text, fontSize: 18, fontFamily: 'DejaVu Sans' } } }
        : {}),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function renderUsageChart(input: UsageChartInput): Buffer {
  const png = new Resvg(renderUsageSvg(input), {
    background,
    font: { loadSystemFonts: false, fontFiles: [fontFile], defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return Buffer.from(png);
}
