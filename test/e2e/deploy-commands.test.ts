import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configKeys, repoRoot } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

const run = promisify(execFile);
const world = useProcessWorld();

async function deployCommands(extra: Record<string, string>) {
  const blank = Object.fromEntries(configKeys.map((key) => [key, '']));
  return run(process.execPath, ['--import', 'tsx', 'src/deploy-commands.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...blank, ...world().env(extra) },
  });
}

describe('npm run deploy-commands', () => {
  it('registers /video in the configured server on demand and says so', async () => {
    const guildId = world().discord.defaultGuildId;
    const { stdout, stderr } = await deployCommands({ DISCORD_GUILD_ID: guildId });
    expect(stdout.trim()).toBe(`Registered /video, /video-admin, /usage, /queue, “Animate image” in server ${guildId}.`);
    expect(stderr).toContain('commands registered');
    expect(stdout + stderr).not.toContain(world().discord.botToken);
    expect(world().discord.commands(guildId).map((c) => c.name)).toEqual(['video', 'video-admin', 'usage', 'queue', 'Animate image']);
    expect(world().discord.commands()).toEqual([]);

    // A bot started afterwards finds the definition unchanged and does not register it again.
    const bot = await world().startBot({ DISCORD_GUILD_ID: guildId });
    expect(bot.output).toContain('commands unchanged');
    const puts = world().discord.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
  });
});
