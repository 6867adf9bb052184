import { DiscordjsError, DiscordjsErrorCodes } from 'discord.js';
import type { DestinationStream } from 'pino';
import { startBot, type Bot } from './bot.js';
import { loadConfigOr, type Config } from './config.js';
import { scrubSecrets } from './logger.js';
import { answerManagerFor } from './sharding/shard-answers.js';
import { ownerOf } from './sharding/shard-owner.js';

/**
 * `npm start`: read .env and the environment, start the bot, stop gracefully on SIGTERM/SIGINT.
 * `npm run start:pretty` (`--pretty`): the same, with readable log lines instead of JSON. They are formatted in this
 * process, not by a second one behind a pipe, so a signal to npm reaches the bot and nothing else has to outlive it.
 * stdout carries pino's JSON lines only; what an operator must read (why the start failed, what the bot is waiting
 * for) goes to stderr as plain lines, so it stays readable under `| pino-pretty` and in journald alike.
 */
async function main(): Promise<void> {
  const config = loadConfigOr(cannotStart);

  if (!config.shard) {
    // discord.js reads these itself when its options equal the defaults: a SHARD_COUNT meant for start:sharded
    // (e.g. in .env) must not make `npm start` connect as one shard of several.
    delete process.env.SHARD_COUNT;
    delete process.env.SHARDS;
  }

  const starting = new AbortController();
  let bot: Bot | undefined;
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    // Whatever happens, exit within 10 s: every state that matters is already persisted.
    setTimeout(() => process.exit(0), 9_000).unref();
    if (!bot) {
      // Still starting: the start gives up where it waits and cleans up after itself.
      starting.abort(new StartAborted(signal));
      return;
    }
    stop(bot, signal);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (process.send) {
    // A shard under the sharding manager: when the manager is gone (even killed), stop as on SIGTERM, not linger.
    process.once('disconnect', () => shutdown('SIGTERM'));
    // discord.js tells the manager of each gateway disconnect, a stop's included: with the manager gone, that
    // message has nowhere to go, which must not end the stop halfway (its lease would wait out its TTL).
    process.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ERR_IPC_CHANNEL_CLOSED') throw err;
    });
  }

  try {
    const logDestination = process.argv.includes('--pretty') ? await prettyDestination() : undefined;
    // Under the sharding manager, the manager's HTTP port reports this shard's health and process metrics.
    const underManager = config.shard !== undefined && process.send !== undefined;
    bot = await startBot({
      config,
      logDestination,
      notice: say,
      signal: starting.signal,
      processMetrics: underManager || undefined,
      // Another process runs as this owner now: this one has stopped, and must not linger.
      onLeaseLost: () => process.exit(1),
    });
    if (underManager) answerManagerFor(bot, ownerOf(config.shard));
  } catch (err) {
    if (starting.signal.aborted) process.exit(0);
    cannotStart(scrubSecrets(describeStartFailure(err), secretsOf(config)));
  }
  // A signal that came in after the last wait of the start: honour it now.
  if (starting.signal.aborted) stop(bot, (starting.signal.reason as StartAborted).signal);
}

/** pino-pretty as a synchronous stream on stdout: every line is out before `process.exit`. */
async function prettyDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ sync: true, colorize: process.stdout.isTTY });
}

function stop(bot: Bot, signal: NodeJS.Signals): void {
  bot.log.info({ signal }, 'stopping');
  bot.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      bot.log.error({ err }, 'stop failed');
      process.exit(0);
    },
  );
}

class StartAborted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal} during start`);
  }
}

/** The tokens and the store's password: a driver's error message may quote its URL. */
function secretsOf(config: Config): string[] {
  let password = '';
  try {
    password = decodeURIComponent(new URL(config.storageUrl).password);
  } catch {
    // not a URL with a password
  }
  return [config.discordToken, config.replicateApiToken, password];
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function cannotStart(reason: string): never {
  say(`Cannot start: ${reason}`);
  process.exit(1);
}

/** One line for the operator; a token Discord refuses is a setting to fix, so it is named like a config error. */
function describeStartFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DiscordjsError && err.code === DiscordjsErrorCodes.TokenInvalid) {
    return `DISCORD_TOKEN was rejected by Discord (${message}); set it to your bot token (Developer Portal → your application → Bot → Reset Token).`;
  }
  return message.split('\n')[0]!;
}

main().catch((err: unknown) => cannotStart(describeStartFailure(err)));
