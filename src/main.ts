import { DiscordjsError, DiscordjsErrorCodes } from 'discord.js';
import { startBot } from './bot.js';
import { ConfigError, loadDotEnv, parseConfig } from './config.js';

/** `npm start`: read .env and the environment, start the bot, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotEnv('.env');
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`Cannot start: ${err.message}\n`);
    process.exit(1);
  }
  const bot = await startBot({ config });
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    bot.log.info({ signal }, 'stopping');
    // Whatever happens, exit within 10 s: every state that matters is already persisted.
    setTimeout(() => process.exit(0), 9_000).unref();
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        bot.log.error({ err }, 'stop failed');
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** One line for the operator; a token Discord refuses is a setting to fix, so it is named like a config error. */
function describeStartFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DiscordjsError && err.code === DiscordjsErrorCodes.TokenInvalid) {
    return `DISCORD_TOKEN was rejected by Discord (${message}); set it to your bot token (Developer Portal → your application → Bot → Reset Token).`;
  }
  return message;
}

main().catch((err: unknown) => {
  process.stderr.write(`Cannot start: ${describeStartFailure(err)}\n`);
  process.exit(1);
});
