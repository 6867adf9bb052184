import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const tokens = { DISCORD_TOKEN: 'discord-token-value', REPLICATE_API_TOKEN: 'r8_replicate-token-value' };

describe('HTTP_PORT and HTTP_HOST', () => {
  it('leave the HTTP server off when unset or empty, on 0.0.0.0 by default', () => {
    expect(parseConfig(tokens)).toMatchObject({ httpPort: undefined, httpHost: '0.0.0.0' });
    expect(parseConfig({ ...tokens, HTTP_PORT: '' }).httpPort).toBeUndefined();
  });

  it('take a port from 0 (any free port) to 65535 and a host to listen on', () => {
    expect(parseConfig({ ...tokens, HTTP_PORT: '8080', HTTP_HOST: '127.0.0.1' })).toMatchObject({
      httpPort: 8080,
      httpHost: '127.0.0.1',
    });
    expect(parseConfig({ ...tokens, HTTP_PORT: '0' }).httpPort).toBe(0);
    expect(parseConfig({ ...tokens, HTTP_PORT: '65535' }).httpPort).toBe(65535);
    expect(parseConfig({ ...tokens, HTTP_HOST: '::' }).httpHost).toBe('::');
  });

  it('refuse anything else in one line naming the setting', () => {
    for (const bad of ['65536', '-1', '80a', 'http', '1.5']) {
      expect(() => parseConfig({ ...tokens, HTTP_PORT: bad })).toThrow(/^HTTP_PORT must be a port number from 1 to 65535/);
    }
    expect(() => parseConfig({ ...tokens, HTTP_HOST: 'a b' })).toThrow(/^HTTP_HOST must be a host name or IP address/);
  });
});

describe('METRICS_TOKEN and HTTP_MAX_CONNECTIONS', () => {
  it('leave /metrics open and connections capped at 256 when unset', () => {
    expect(parseConfig(tokens)).toMatchObject({ metricsToken: undefined, httpMaxConnections: 256 });
  });

  it('take a token of 16 or more characters and a whole number of connections', () => {
    const config = parseConfig({ ...tokens, METRICS_TOKEN: '  s3cret-scrape-token-0123  ', HTTP_MAX_CONNECTIONS: '50' });
    expect(config).toMatchObject({ metricsToken: 's3cret-scrape-token-0123', httpMaxConnections: 50 });
  });

  it('refuse a short token or a cap of 0 in one line, never echoing the token', () => {
    expect(() => parseConfig({ ...tokens, METRICS_TOKEN: 'short-one' })).toThrow(/^METRICS_TOKEN must be at least 16 characters/);
    try {
      parseConfig({ ...tokens, METRICS_TOKEN: 'short-one' });
    } catch (err) {
      expect((err as Error).message).not.toContain('short-one');
    }
    expect(() => parseConfig({ ...tokens, HTTP_MAX_CONNECTIONS: '0' })).toThrow(/^HTTP_MAX_CONNECTIONS must be a whole number ≥ 1/);
  });
});
