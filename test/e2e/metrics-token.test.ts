import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';

const metricsToken = 'scrape-token-4c1f0e9b7a';
const world = useWorld({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', METRICS_TOKEN: metricsToken } });

describe('/metrics with METRICS_TOKEN set', () => {
  it('answers 401 without the bearer token and the metrics with it, while /healthz stays open; the token is never logged', async () => {
    const base = `http://127.0.0.1:${world().bot.http!.port}`;
    const bare = await fetch(`${base}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer');
    expect(await bare.text()).not.toContain('videobot_');
    for (const wrong of ['Bearer scrape-token-4c1f0e9b7b', 'Bearer ', `Basic ${metricsToken}`, metricsToken]) {
      expect((await fetch(`${base}/metrics`, { headers: { authorization: wrong } })).status).toBe(401);
    }

    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^videobot_jobs_accepted_total 0$/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    world().bot.log.info({ headers: { authorization: `Bearer ${metricsToken}` }, note: `token ${metricsToken}` }, 'a line that names it');
    expect(world().logs.text).toContain('a line that names it');
    expect(world().logs.text).not.toContain(metricsToken);
  });
});
