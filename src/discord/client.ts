import { Client, GatewayIntentBits } from 'discord.js';

/** The gateway client: only the Guilds intent (slash commands and buttons need no privileged intents). */
export function createDiscordClient(options: { apiUrl: string }): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiUrl },
    // Prompts are echoed back: nothing the bot sends pings anyone unless a call says so.
    allowedMentions: { parse: [] },
  });
}
