import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const tokens = { DISCORD_TOKEN: 'discord-token-value', REPLICATE_API_TOKEN: 'r8_replicate-token-value' };
const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

describe('webhook settings', () => {
  it('leaves webhook mode and the HTTP server off by default', () => {
    expect(parseConfig(tokens)).toMatchObject({
      publicUrl: undefined,
      replicateWebhookSecret: undefined,
      httpPort: undefined,
      httpHost: '0.0.0.0',
    });
  });

  it('reads PUBLIC_URL without its trailing slash, the port and the secret', () => {
    const config = parseConfig({
      ...tokens,
      PUBLIC_URL: 'https://bot.example.com/',
      HTTP_PORT: '8080',
      HTTP_HOST: '127.0.0.1',
      REPLICATE_WEBHOOK_SECRET: secret,
    });
    expect(config).toMatchObject({ publicUrl: 'https://bot.example.com', httpPort: 8080, httpHost: '127.0.0.1', replicateWebhookSecret: secret });
  });

  it('refuses PUBLIC_URL without HTTP_PORT in one line', () => {
    expect(() => parseConfig({ ...tokens, PUBLIC_URL: 'https://bot.example.com' })).toThrow(
      /^PUBLIC_URL is set but HTTP_PORT is not; set HTTP_PORT to the port/,
    );
  });

  it('names a bad PUBLIC_URL, port or secret without echoing the secret', () => {
    expect(() => parseConfig({ ...tokens, PUBLIC_URL: 'ftp://bot.example.com', HTTP_PORT: '80' })).toThrow(/^PUBLIC_URL must be an http\(s\) URL/);
    expect(() => parseConfig({ ...tokens, HTTP_PORT: '70000' })).toThrow(/^HTTP_PORT must be a port number/);
    let message = '';
    try {
      parseConfig({ ...tokens, REPLICATE_WEBHOOK_SECRET: 'not-a-whsec-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^REPLICATE_WEBHOOK_SECRET must be the whsec_… signing secret/);
    expect(message).not.toContain('not-a-whsec-secret-value');
  });
});
