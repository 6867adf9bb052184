/**
 * The measuring part of the acknowledgement benches (bench/ack-latency.ts, one bot process; bench/ack-sharded.ts,
 * one process per shard): send the load, wait for every callback, and turn the fake's samples into figures.
 */
import type { AckSample, PacedResult } from './fake-world.js';
import type { Fakes } from './fakes.js';
import { round, summarize, until } from './stats.js';

export type AckScenario = 'burst' | 'rate';

export const ackGuildCount = 100;
/** Discord's 3 s: a later callback is answered 404 10062 Unknown interaction. */
export const ackDeadlineMs = 3000;

export interface AckLoad {
  total: number;
  pacing: PacedResult | undefined;
  allAckedMs: number;
}

/**
 * The burst (1,000 at once) or the paced stream (`perSecond` for 10 s, a batch every 10 ms); resolves once the fake
 * has a callback attempt for every interaction. `onStart` runs right before the first send (CPU readings).
 */
export async function driveAcks(fakes: Fakes, scenario: AckScenario, perSecond: number, onStart: () => void | Promise<void> = () => undefined): Promise<AckLoad> {
  await onStart();
  const started = performance.now();
  let pacing: PacedResult | undefined;
  let total: number;
  if (scenario === 'burst') {
    total = 1000;
    await fakes.burst(total, { firstUser: 0 });
  } else {
    total = perSecond * 10;
    pacing = await fakes.paced(perSecond, 10, 10, 0);
  }
  await until(async () => (await fakes.ackCount()) >= total, 120_000, `${total} acknowledgements`, 50);
  return { total, pacing, allAckedMs: performance.now() - started };
}

const rounded = (v: number[], digits = 2) =>
  Object.fromEntries(Object.entries(summarize(v)).map(([k, x]) => [k, round(x, digits)])) as Record<string, number>;

/**
 * Latency figures from the fake's samples; `arrived` is when each INTERACTION_CREATE reached a bot (discord.js's
 * `raw`), which splits each latency into the gateway leg and the bot leg (every process reads the same wall clock).
 */
export function measureAcks(samples: readonly AckSample[], arrived: ReadonlyMap<string, number>, total: number) {
  const latencies = samples.map((s) => s.latencyMs);
  const accepted = samples.filter((s) => s.accepted);
  const gatewayLeg: number[] = [];
  const botLeg: number[] = [];
  for (const s of samples) {
    const at = arrived.get(s.interactionId);
    if (at === undefined) continue;
    gatewayLeg.push(at - s.dispatchedAt);
    botLeg.push(s.receivedAt - at);
  }
  return {
    callbacks: samples.length,
    accepted: accepted.length,
    refused: samples.filter((s) => !s.accepted).map((s) => s.status),
    latencyMs: rounded(latencies),
    /** Sent by the gateway -> frame handed to discord.js in the bot (gateway socket, frame queueing). */
    gatewayLegMs: rounded(gatewayLeg),
    /** Frame in the bot -> callback received by the REST stand-in (bot handling + HTTP request). */
    botLegMs: rounded(botLeg),
    underDeadlinePct: round((100 * latencies.filter((l) => l < ackDeadlineMs).length) / total, 2),
  };
}
