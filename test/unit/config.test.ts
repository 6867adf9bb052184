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
    expect(message).toMatch(/^GUILD_CONCURRENCY /);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain(tokens.DISCORD_TOKEN);
    expect(() => parseConfig({ ...tokens, STORAGE_URL: 'mysql://x' })).toThrow(
      /^STORAGE_URL must start with sqlite:\/\/, redis:\/\/ or postgresql:\/\//,
    );
    expect(() => parseConfig({ ...tokens, DISCORD_GUILD_ID: 'abc' })).toThrow(/^DISCORD_GUILD_ID must be a server id/);
  });

  it.each([
    ['GUILD_CONCURRENCY', 'abc', 'GUILD_CONCURRENCY must be a whole number ≥ 1'],
    ['GUILD_CONCURRENCY', '0', 'GUILD_CONCURRENCY must be a whole number ≥ 1'],
    ['MAX_CONCURRENT_PREDICTIONS', '1.5', 'MAX_CONCURRENT_PREDICTIONS must be a whole number ≥ 1'],
    ['GUILD_QUEUE_LIMIT', '-3', 'GUILD_QUEUE_LIMIT must be a whole number ≥ 1'],
    ['USER_PENDING_LIMIT', '0x10', 'USER_PENDING_LIMIT must be a whole number ≥ 1'],
    ['REPLICATE_POLL_INTERVAL_MS', 'soon', 'REPLICATE_POLL_INTERVAL_MS must be a whole number of milliseconds'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    ['DISCORD_API_URL', 'discord.com', 'DISCORD_API_URL must be a URL such as https://discord.com/api'],
    ['REPLICATE_API_URL', 'nope', 'REPLICATE_API_URL must be a URL such as https://api.replicate.com/v1'],
    ['REPLICATE_MODEL', 'kling', 'REPLICATE_MODEL must look like owner/name'],
    ['DISCORD_TOKEN', '   ', 'DISCORD_TOKEN is missing'],
  ])('says in its own words what %s=%j must be', (name, value, expected) => {
    let message = '';
    try {
      parseConfig({ ...tokens, [name]: value });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.startsWith(expected)).toBe(true);
    // Never the validation library's words.
    expect(message).not.toMatch(/received|expected|Invalid input|Too small|NaN/);
  });

  it('refuses a poll interval under 1000 ms against the real Replicate, saying why', () => {
    expect(() => parseConfig({ ...tokens, REPLICATE_POLL_INTERVAL_MS: '200' })).toThrow(
      /^REPLICATE_POLL_INTERVAL_MS is 200 ms, under the 1000 ms floor: polling that often uses up the Replicate account's request limit/,
    );
    expect(parseConfig({ ...tokens, REPLICATE_POLL_INTERVAL_MS: '1000' }).pollIntervalMs).toBe(1000);
  });

  it('allows a short poll interval against a stand-in on this machine', () => {
    for (const url of ['http://127.0.0.1:4010/v1', 'http://localhost:4010', 'http://[::1]:4010/v1']) {
      expect(parseConfig({ ...tokens, REPLICATE_API_URL: url, REPLICATE_POLL_INTERVAL_MS: '20' }).pollIntervalMs).toBe(20);
    }
    expect(() =>
      parseConfig({ ...tokens, REPLICATE_API_URL: 'https://replicate.example.com/v1', REPLICATE_POLL_INTERVAL_MS: '20' }),
    ).toThrow(/^REPLICATE_POLL_INTERVAL_MS is 20 ms/);
  });

  it('refuses sqlite:// without a file path', () => {
    expect(() => parseConfig({ ...tokens, STORAGE_URL: 'sqlite://' })).toThrow(
      'STORAGE_URL sqlite:// needs a file path, e.g. sqlite://data/bot.sqlite',
    );
    expect(() => parseConfig({ ...tokens, STORAGE_URL: 'sqlite://  ' })).toThrow(/^STORAGE_URL sqlite:\/\/ needs a file path/);
    expect(parseConfig({ ...tokens, STORAGE_URL: 'sqlite:///var/lib/bot/jobs.sqlite' }).storageUrl).toBe(
      'sqlite:///var/lib/bot/jobs.sqlite',
    );
  });

  it('never echoes a storage URL, which may hold a password', () => {
    let message = '';
    try {
      parseConfig({ ...tokens, STORAGE_URL: 'mysql://admin:hunter2-password@db/bot' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^STORAGE_URL /);
    expect(message).not.toContain('hunter2-password');
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
  it('reads REPLICATE_MODELS with prices and keeps REPLICATE_MODEL as the default, first when the list leaves it out', () => {
    const config = parseConfig({ ...tokens, REPLICATE_MODELS: 'google/veo-3-fast=0.10, lightricks/ltx-video', PRICE_PER_SECOND_USD: '0.07' });
    expect(config.models).toEqual([
      { model: 'kwaivgi/kling-v1.6-standard', pricePerSecondUsd: 0.07, isDefault: true },
      { model: 'google/veo-3-fast', pricePerSecondUsd: 0.1, isDefault: false },
      { model: 'lightricks/ltx-video', pricePerSecondUsd: 0.07, isDefault: false },
    ]);
    expect(parseConfig(tokens).models).toEqual([{ model: 'kwaivgi/kling-v1.6-standard', pricePerSecondUsd: 0.05, isDefault: true }]);
  });

  it('names a malformed REPLICATE_MODELS entry in one line', () => {
    expect(() => parseConfig({ ...tokens, REPLICATE_MODELS: 'google/veo-3-fast=0.10,veo3=cheap' })).toThrow(
      /^REPLICATE_MODELS entry "veo3=cheap" must be owner\/name or owner\/name=PRICE .*; see \.env\.example\.$/,
    );
    expect(() => parseConfig({ ...tokens, REPLICATE_MODELS: 'google/veo-3-fast,google/veo-3-fast=0.2' })).toThrow(
      /^REPLICATE_MODELS lists "google\/veo-3-fast" twice; see \.env\.example\.$/,
    );
  });

  it('reads the models file named by MODELS_FILE, and names the file and what is wrong with it in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const good = join(dir, 'models.json');
    writeFileSync(good, JSON.stringify({ 'lightricks/ltx-video': { label: 'LTX', fields: { guidance: null } } }));
    const config = parseConfig({ ...tokens, REPLICATE_MODELS: 'lightricks/ltx-video', MODELS_FILE: good });
    expect(config.modelsFile).toEqual({ 'lightricks/ltx-video': { label: 'LTX', fields: { guidance: null } } });
    expect(parseConfig(tokens).modelsFile).toEqual({});

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ 'lightricks/ltx-video': { colour: 'red' } }));
    expect(() => parseConfig({ ...tokens, REPLICATE_MODELS: 'lightricks/ltx-video', MODELS_FILE: bad })).toThrow(
      `MODELS_FILE ${bad}: lightricks/ltx-video has an unknown setting "colour" (known: label, fields, fixed).`,
    );
    expect(() => parseConfig({ ...tokens, MODELS_FILE: join(dir, 'missing.json') })).toThrow(
      `MODELS_FILE ${join(dir, 'missing.json')} cannot be read (no such file); set it to the path of a JSON models file, or unset it.`,
    );
    expect(() => parseConfig({ ...tokens, MODELS_FILE: good })).toThrow(
      `MODELS_FILE ${good} configures lightricks/ltx-video, which is not in REPLICATE_MODELS (nor REPLICATE_MODEL); add it there or remove it from the file.`,
    );
  });
});
