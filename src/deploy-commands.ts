import { REST, Routes, type APIApplication } from 'discord.js';
import { ConfigError, loadDotEnv, parseConfig } from './config.js';
import { registerCommands } from './discord/register-commands.js';
import pino from 'pino';
import { createLogger } from './logger.js';
import { commandDefinitions } from '../commands/index.js';
import { openStore } from './storage/keyv-store.js';

/** `npm run deploy-commands`: registers the slash commands now (npm start does it itself when they changed). */
async function main(): Promise<void> {
  loadDotEnv('.env');
  const config = parseConfig(process.env);
  // Log lines go to stderr: stdout carries the one line meant for the operator.
  const log = createLogger({
    level: config.logLevel,
    secrets: [config.discordToken, config.replicateApiToken],
    destination: pino.destination(2),
  });
  const rest = new REST({ version: '10', api: config.discordApiUrl }).setToken(config.discordToken);
  const application = (await rest.get(Routes.currentApplication())) as APIApplication;
  const store = await openStore(config.storageUrl, log);
  try {
    await registerCommands({ rest, applicationId: application.id, guildId: config.discordGuildId, store, log, force: true });
    const names = commandDefinitions().map((c) => (c.type === undefined || c.type === 1 ? `/${c.name}` : `“${c.name}”`)).join(', ');
    process.stdout.write(
      config.discordGuildId
        ? `Registered ${names} in server ${config.discordGuildId}.\n`
        : `Registered ${names} globally (it can take a while to appear everywhere).\n`,
    );
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`Cannot register commands: ${message}\n`);
  process.exit(1);
});
