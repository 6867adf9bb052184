import { fileURLToPath } from 'node:url';
import { ShardingManager, type Shard } from 'discord.js';
import { loadConfigOr } from './config.js';
import { createLogger, scrubSecrets, type Logger } from './logger.js';
import { fetchGatewayBot, spawnDelayMs } from './sharding/gateway-bot.js';
import { openStore } from './storage/keyv-store.js';
import { describeLayout } from './storage/layout.js';
import { startHttpServer } from './ops/http-server.js';
import { createManagerRoutes } from './sharding/manager-http.js';

/**
 * `npm run start:sharded`: discord.js's ShardingManager in process mode, one child per shard running `src/main.ts`
 * (which reads SHARDS / SHARD_COUNT and runs as that shard). The shard count is SHARD_COUNT, or else the count
 * Discord recommends, asked through DISCORD_API_URL (`totalShards: 'auto'` would ask discord.com itself). Before any
 * shard starts, the store is laid out for that count (jobs of another count are re-homed by guild). A crashed shard
 * is respawned; SIGTERM or SIGINT stops every shard gracefully and exits within 10 s. The manager's own log lines
 * carry `manager: true`; the shards' carry `shard`.
 */
const shardEntry = fileURLToPath(new URL('./main.ts', import.meta.url));
/** A child that is not ready by then is reported as failing to start. */
const readyTimeoutMs = 60_000;
const stopWithinMs = 9_000;

async function main(): Promise<void> {
  const config = loadConfigOr(cannotStart);
  if (config.shard) cannotStart('SHARDS is set: that is how the manager tells a shard which one it is; unset it for npm run start:sharded.');
  const secrets = [config.discordToken, config.replicateApiToken, ...(config.metricsToken ? [config.metricsToken] : [])];
  const log = createLogger({ level: config.logLevel, secrets, bindings: { manager: true } });
  const fail = (reason: string): never => cannotStart(scrubSecrets(reason, secrets));

  const gateway = await fetchGatewayBot(config.discordApiUrl, config.discordToken).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    if (config.shardCount === undefined) {
      fail(`cannot ask Discord for the recommended shard count (${reason}); set SHARD_COUNT, or check DISCORD_API_URL and DISCORD_TOKEN.`);
    }
    log.warn({ reason }, 'cannot read GET /gateway/bot; spawning shards 5.5 s apart');
    return undefined;
  });
  const totalShards = config.shardCount ?? gateway!.shards;
  const shardList = config.shardIds ?? Array.from({ length: totalShards }, (_, id) => id);
  const delay = spawnDelayMs(shardList.length, gateway?.maxConcurrency);

  // Every job is in the active index of its guild's shard under this count before any shard runs.
  try {
    const store = await openStore(config.storageUrl, log, {
      owner: 'manager',
      layout: { wanted: { mode: 'sharded', shardCount: totalShards }, rehome: true },
      notice: (line) => process.stderr.write(`${line}\n`),
    });
    await store.close();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  // The manager listens on HTTP_PORT for every shard (health, metrics, webhooks forwarded over IPC); the shards,
  // which inherit this environment, must not try to listen on the same port.
  delete process.env.HTTP_PORT;
  const manager = new ShardingManager(shardEntry, {
    totalShards,
    shardList,
    mode: 'process',
    respawn: true,
    execArgv: ['--import', 'tsx'],
    token: config.discordToken,
  });
  let stopping = false;
  manager.on('shardCreate', (shard) =>
    watch(shard, log, () => {
      if (stopping) return;
      stopping = true;
      void stopAll(manager, log).then(() =>
        fail(`shard ${shard.id} exited ${crashLoop.deaths} times within ${crashLoop.withinMs / 1000} s; its own lines above say why.`),
      );
    }),
  );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping every shard');
    void stopAll(manager, log).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (config.httpPort !== undefined) {
    const routes = createManagerRoutes({
      shards: () => new Map([...manager.shards].filter(([, shard]) => shard.process !== null)),
      expected: shardList,
      metricsToken: config.metricsToken,
      log,
    });
    try {
      const http = await startHttpServer({
        port: config.httpPort,
        host: config.httpHost,
        maxConnections: config.httpMaxConnections,
        routes,
        log,
      });
      log.info({ port: http.port }, 'manager http server listening');
    } catch (err) {
      fail(`cannot listen on HTTP_PORT ${config.httpPort} (${err instanceof Error ? err.message : String(err)}).`);
    }
  }

  log.info({ shardCount: totalShards, shards: shardList, delayMs: delay, layout: describeLayout({ mode: 'sharded', shardCount: totalShards }) }, 'spawning shards');
  try {
    await manager.spawn({ amount: totalShards, delay, timeout: readyTimeoutMs });
  } catch (err) {
    if (stopping) return;
    stopping = true;
    const reason = err instanceof Error ? err.message : String(err);
    log.error({ reason }, 'a shard did not start; stopping the others');
    await stopAll(manager, log);
    fail(`a shard did not start (${reason}); its own line above says why.`);
  }
  if (!stopping) log.info({ shards: shardList }, 'every shard ready');
}

/** A shard that keeps dying is not respawned forever: the manager stops and exits 1 (systemd backs off). */
const crashLoop = { deaths: 5, withinMs: 60_000 };

function watch(shard: Shard, log: Logger, onCrashLoop: () => void): void {
  log.info({ shardId: shard.id }, 'shard spawned');
  const deaths: number[] = [];
  shard.on('death', (child) => {
    deaths.push(Date.now());
    while (deaths[0]! < Date.now() - crashLoop.withinMs) deaths.shift();
    if (deaths.length >= crashLoop.deaths) {
      log.error({ shardId: shard.id, deaths: deaths.length }, 'shard keeps exiting; stopping every shard');
      // After discord.js respawned it (right after this event), so that the new child is stopped too.
      setImmediate(onCrashLoop);
    }
    const exit = 'exitCode' in child ? { code: child.exitCode, signal: child.signalCode } : {};
    const respawn = shard.manager.respawn;
    log.warn({ shardId: shard.id, ...exit }, respawn ? 'shard exited; respawning it' : 'shard exited');
  });
  shard.on('error', (err) => log.error({ shardId: shard.id, err }, 'shard could not be respawned'));
}

/** No more respawns; SIGTERM to every shard (each stops gracefully, within its own 10 s); SIGKILL past the limit. */
async function stopAll(manager: ShardingManager, log: Logger): Promise<void> {
  manager.respawn = false;
  const exits = [...manager.shards.values()].map((shard) => {
    const child = shard.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log.warn({ shardId: shard.id }, 'shard did not stop in time; killing it');
        child.kill('SIGKILL');
      }, stopWithinMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  });
  await Promise.all(exits);
  log.info('every shard stopped');
}

function cannotStart(reason: string): never {
  process.stderr.write(`Cannot start: ${reason}\n`);
  process.exit(1);
}

main().catch((err: unknown) => cannotStart(err instanceof Error ? err.message.split('\n')[0]! : String(err)));
