/**
 * `npm start` for the account-wide limit scenarios: src/main.ts's start-up and signal handling, as one of several
 * processes on a store, each with its own owner (as shards are). BOT_OWNER names it; TEST_SLOT_TTL_MS and
 * TEST_SLOT_RENEW_MS shorten the prediction slots' lease so a killed process's slots come back within the test;
 * TEST_LEASE_TTL_MS and TEST_LEASE_RENEW_MS the owner's store lease, so a paused one is taken over within the test.
 */
import { startBot } from '../../src/bot.js';
import { ConfigError, parseConfig } from '../../src/config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`Cannot start: ${err.message}\n`);
    process.exit(1);
  }
  const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const ttlMs = number('TEST_SLOT_TTL_MS');
  const renewEveryMs = number('TEST_SLOT_RENEW_MS');
  const leaseTtlMs = number('TEST_LEASE_TTL_MS');
  const leaseRenewMs = number('TEST_LEASE_RENEW_MS');
  const bot = await startBot({
    config,
    owner: process.env.BOT_OWNER ?? 'main',
    onLeaseLost: () => process.exit(1),
    tuning: {
      lease: { ...(leaseTtlMs ? { ttlMs: leaseTtlMs } : {}), ...(leaseRenewMs ? { renewEveryMs: leaseRenewMs } : {}) },
      slots: {
        ...(ttlMs ? { ttlMs } : {}),
        ...(renewEveryMs ? { renewEveryMs, askEveryMs: renewEveryMs } : {}),
      },
    },
  });
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    bot.log.info({ signal }, 'stopping');
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
  process.stderr.write(`Cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
