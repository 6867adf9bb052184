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

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Cannot start: ${message}\n`);
  process.exit(1);
});
