/**
 * The floor the acknowledgement bench compares against: the smallest discord.js bot that defers each `/video`,
 * as the discord.js guide writes one (default caches, the Guilds intent), with no store, no queue and no logging.
 * Same stand-ins, same REST base, so the difference to the real bot is the bot's own work per interaction.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { FakeEndpoints } from './fake-world.js';

export async function startFloorBot(endpoints: FakeEndpoints): Promise<{ client: Client; stop(): Promise<void> }> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: endpoints.discordApiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand() || interaction.commandName !== 'video') return;
    // The real bot's deferral of an accepted request is public; a refusal would be ephemeral.
    interaction.deferReply().catch(() => undefined);
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(endpoints.discordToken);
  await ready;
  return { client, stop: () => client.destroy() };
}
