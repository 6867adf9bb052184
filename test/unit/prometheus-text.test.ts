import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/ops/metrics.js';
import { parsePrometheusText, valueOf } from '../harness/prometheus-text.js';

describe('the strict Prometheus text reader (test harness)', () => {
  it('reads counters, labelled gauges and histograms', () => {
    const text = [
      '# HELP a_total Things.',
      '# TYPE a_total counter',
      'a_total 3',
      '# TYPE g gauge',
      'g{state="queued",x="say \\"hi\\""} 2.5',
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 7',
      'h_count 2',
      '',
    ].join('\n');
    const families = parsePrometheusText(text);
    expect(families.get('a_total')).toMatchObject({ type: 'counter', help: 'Things.' });
    expect(valueOf(families, 'g', { state: 'queued' })).toBe(2.5);
    expect(families.get('g')!.samples[0]!.labels.x).toBe('say "hi"');
    expect(valueOf(families, 'h_count')).toBe(2);
  });

  it('refuses what a scraper would refuse or what points at a bug', () => {
    const refused = [
      'x 1\n', // no TYPE
      '# TYPE x counter\nx one\n', // bad value
      '# TYPE x counter\nx{a="1",a="2"} 1\n', // label twice
      '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n', // duplicate series
      '# TYPE x gauge\n# TYPE x gauge\n', // typed twice
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', // +Inf != count
      '# TYPE x gauge\nx 1', // no final newline
      '# TYPE 1x gauge\n', // bad name
    ];
    for (const text of refused) expect(() => parsePrometheusText(text), text).toThrow();
  });

  it('accepts the bot registry’s own exposition, every family prefixed videobot_', async () => {
    const metrics = createMetrics();
    metrics.acknowledged(12);
    metrics.apiError('discord', '503');
    const { contentType, body } = await metrics.render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(body);
    expect([...families.keys()].filter((n) => !n.startsWith('videobot_'))).toEqual([]);
    expect(families.has('videobot_process_cpu_seconds_total')).toBe(true);
    expect(valueOf(families, 'videobot_api_errors_total', { api: 'discord', kind: '503' })).toBe(1);
    expect(valueOf(families, 'videobot_acknowledgement_latency_seconds_bucket', { le: '0.025' })).toBe(1);
  });
});
