import { grantedOf, type SlotStore, type TokenTake } from './backend.js';

/** What the slot and budget scripts need of node-redis. */
export interface RedisEval {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Keys (outside keyv's `bot::` namespace, so no keyv `clear()` touches them):
 *   bot-slot:<pool>:<n>          the holder of slot n, with the lease as the key's own PX expiry
 *   bot-slot-demand:<pool>       hash holder → "want held expiresAt"
 *   bot-budget:<bucket>:<window> the window's counter
 * Each script runs atomically on the server. They build slot keys from a prefix, which suits one Redis server (not
 * Redis Cluster, where every key of a script must be named up front).
 */
const takeScript = `
local taken = {}
local want = tonumber(ARGV[2])
for i = 0, tonumber(ARGV[3]) - 1 do
  if #taken >= want then break end
  if redis.call('SET', KEYS[1] .. i, ARGV[1], 'NX', 'PX', ARGV[4]) then table.insert(taken, i) end
end
return taken`;

const renewScript = `
local held = {}
for i = 0, tonumber(ARGV[2]) - 1 do
  local key = KEYS[1] .. i
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[3])
    table.insert(held, i)
  end
end
return held`;

const releaseScript = `
for i = 2, #ARGV do
  local key = KEYS[1] .. ARGV[i]
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0`;

const demandScript = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local expires = tonumber(string.match(all[i + 1], '(%d+)$'))
  if expires <= tonumber(ARGV[3]) then redis.call('HDEL', KEYS[1], all[i])
  else table.insert(live, all[i]); table.insert(live, all[i + 1]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return live`;

const tokensScript = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return used`;

export function redisSlots(client: RedisEval): SlotStore {
  const prefix = (pool: string) => `bot-slot:${pool}:`;
  const numbers = (reply: unknown) => (reply as number[]).map(Number).sort((a, b) => a - b);
  return {
    async take({ pool, holder, cap, ttlMs, count }) {
      if (count <= 0) return [];
      return numbers(
        await client.eval(takeScript, { keys: [prefix(pool)], arguments: [holder, String(count), String(cap), String(ttlMs)] }),
      );
    },
    async renew({ pool, holder, cap, ttlMs }) {
      return numbers(await client.eval(renewScript, { keys: [prefix(pool)], arguments: [holder, String(cap), String(ttlMs)] }));
    },
    async release(pool, holder, slots) {
      if (slots.length === 0) return;
      await client.eval(releaseScript, { keys: [prefix(pool)], arguments: [holder, ...slots.map(String)] });
    },
    async reportDemand({ pool, holder, want, held, ttlMs, now }) {
      const live = (await client.eval(demandScript, {
        keys: [`bot-slot-demand:${pool}`],
        arguments: [holder, `${want} ${held} ${now + ttlMs}`, String(now), String(Math.max(ttlMs * 4, 60_000))],
      })) as string[];
      const demands = [];
      for (let i = 0; i < live.length; i += 2) {
        const [want, held] = live[i + 1]!.split(' ').map(Number);
        demands.push({ holder: live[i]!, want: want!, held: held! });
      }
      return demands;
    },
  };
}

export async function takeRedisTokens(client: RedisEval, { bucket, window, count, limit, ttlMs }: TokenTake): Promise<number> {
  if (count <= 0) return 0;
  const used = Number(
    await client.eval(tokensScript, { keys: [`bot-budget:${bucket}:${window}`], arguments: [String(count), String(ttlMs)] }),
  );
  return grantedOf(used, count, limit);
}
