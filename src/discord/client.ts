import { Client, GatewayIntentBits, Options } from 'discord.js';

/** The gateway client: only the Guilds intent (slash commands and buttons need no privileged intents). */
export function createDiscordClient(options: { apiUrl: string }): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiUrl },
    // Prompts are echoed back: nothing the bot sends pings anyone unless a call says so.
    allowedMentions: { parse: [] },
    // Every interaction carries its member and user: caching thousands of them costs memory and time on the
    // interaction's hot path, and nothing reads them back. The bot's own user and member stay.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
    }),
  });
}
