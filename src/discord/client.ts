import { Client, DefaultRestOptions, GatewayIntentBits, Options, REST, type RESTOptions } from 'discord.js';

/** Told of every answer a REST client gets (its status), or of none (no connection, or its timeout). */
export type RestAnswerListener = (url: string, answer: number | 'network' | 'timeout') => void;

/**
 * Resolves when a request may go out: the store lease was confirmed recently (Discord cannot check a fencing token,
 * so a process that may have lost its lease sends nothing); rejects when it never may again.
 */
export type RequestGate = () => Promise<void>;

/**
 * An interaction's first answer is not held by the gate: it changes nothing stored (the job's own writes are fenced),
 * and held past Discord's 3 s it would be lost: during a store outage the member still gets "try again in a minute".
 */
function isInteractionCallback(url: string): boolean {
  return /\/interactions\/\d+\/[^/]+\/callback(\?|$)/.test(url);
}

/**
 * discord.js's own request function, sent once `gate` let it through, with `onAnswer` told of each outcome (no copy
 * of the response is made).
 */
function observed(onAnswer: RestAnswerListener | undefined, gate: RequestGate | undefined): Partial<RESTOptions> {
  if (!onAnswer && !gate) return {};
  return {
    async makeRequest(url, init) {
      if (!isInteractionCallback(url)) await gate?.();
      try {
        const res = await DefaultRestOptions.makeRequest(url, init);
        onAnswer?.(url, res.status);
        return res;
      } catch (err) {
        onAnswer?.(url, init.signal?.aborted ? 'timeout' : 'network');
        throw err;
      }
    },
  };
}

/** The gateway client: only the Guilds intent (slash commands and buttons need no privileged intents). */
export function createDiscordClient(options: {
  apiUrl: string;
  onAnswer?: RestAnswerListener;
  gate?: RequestGate;
  shard?: { id: number; count: number } | undefined;
}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    // A shard process connects as its one shard, `npm start` as the only one: said here, so discord.js never parses
    // SHARDS from the environment itself (the config did, with a clear line when it is wrong).
    shards: [options.shard?.id ?? 0],
    shardCount: options.shard?.count ?? 1,
    rest: { api: options.apiUrl, ...observed(options.onAnswer, options.gate) },
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

/**
 * A REST client for uploads and pings: it never resends (retries 0), since an upload that timed out or met a 5xx
 * may have landed and a resend would post it twice, and its own timeout is long (the responder gives each upload a
 * timeout scaled to its size). Same token and API as the gateway client.
 */
export function createUploadRest(options: {
  apiUrl: string;
  token: string;
  onAnswer?: RestAnswerListener;
  gate?: RequestGate;
}): REST {
  return new REST({ api: options.apiUrl, retries: 0, timeout: 30 * 60_000, ...observed(options.onAnswer, options.gate) }).setToken(
    options.token,
  );
}
