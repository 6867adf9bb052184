import { createHash } from 'node:crypto';
import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { commandDefinitions } from '../../commands/index.js';
import type { JobStore } from '../queue/ports.js';

export type Registration = 'registered' | 'unchanged';

/**
 * Registers the slash commands (guild-scoped when a guild id is given: instant; global otherwise) when their
 * definition changed since the last registration recorded in the store, or always when `force` is set.
 */
export async function registerCommands(options: {
  rest: REST;
  applicationId: string;
  guildId: string | undefined;
  store: Pick<JobStore, 'getMeta' | 'setMeta'>;
  log: Logger;
  force?: boolean;
}): Promise<Registration> {
  const { rest, applicationId, guildId, store, log } = options;
  const definitions = commandDefinitions();
  const scope = guildId ? `guild:${guildId}` : 'global';
  const hash = createHash('sha256').update(JSON.stringify({ applicationId, definitions })).digest('hex');
  const metaKey = `commands:${scope}`;
  if (!options.force && (await store.getMeta<string>(metaKey)) === hash) {
    log.debug({ scope }, 'commands unchanged');
    return 'unchanged';
  }
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: definitions });
  await store.setMeta(metaKey, hash);
  log.info({ scope, commands: definitions.map((d) => d.name) }, 'commands registered');
  return 'registered';
}
