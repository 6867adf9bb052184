import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnv, parseConfig } from '../../src/config.js';

const tokens = { DISCORD_TOKEN: 'discord-token-value', REPLICATE_API_TOKEN: 'r8_replicate-token-value' };

describe('configuration', () => {
  it('applies the documented defaults when only the two tokens are set', () => {
    const config = parseConfig(tokens);
    expect(config).toMatchObject({
      discordApiUrl: 'https://discord.com/api',
      replicateApiUrl: 'https://api.replicate.com/v1',
      replicateModel: 'kwaivgi/kling-v1.6-standard',
      storageUrl: 'sqlite://data/bot.sqlite',
      maxConcurrentPredictions: 4,
      guildConcurrency: 2,
      guildQueueLimit: 20,
      userPendingLimit: 2,
      pollIntervalMs: 5000,
      logLevel: 'info',
      discordGuildId: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a missing token and says where to get one, in one line', () => {
    expect(() => parseConfig({ REPLICATE_API_TOKEN: 'x' })).toThrow(
      /^DISCORD_TOKEN is missing; set it to your bot token \(Discord Developer Portal/,
    );
    expect(() => parseConfig({ DISCORD_TOKEN: 'x' })).toThrow(/^REPLICATE_API_TOKEN is missing; .*replicate\.com/);
  });

  it('names a malformed setting without echoing secrets', () => {
    let message = '';
    try {
      parseConfig({ ...tokens, GUILD_CONCURRENCY: 'two' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^GUILD_CONCURRENCY is invalid/);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain(tokens.DISCORD_TOKEN);
    expect(() => parseConfig({ ...tokens, STORAGE_URL: 'mysql://x' })).toThrow(/^STORAGE_URL is invalid/);
    expect(() => parseConfig({ ...tokens, DISCORD_GUILD_ID: 'abc' })).toThrow(/^DISCORD_GUILD_ID is invalid/);
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ ...tokens, DISCORD_GUILD_ID: '', LOG_LEVEL: '' }).discordGuildId).toBeUndefined();
  });

  it('loads .env without overriding the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nDISCORD_TOKEN="from-file"\nLOG_LEVEL=debug\n\nGUILD_QUEUE_LIMIT=7\n');
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    loadDotEnv(file, env);
    expect(env).toEqual({ DISCORD_TOKEN: 'from-file', LOG_LEVEL: 'warn', GUILD_QUEUE_LIMIT: '7' });
  });
});
