import type { Clock } from '../clock.js';
import type { RestAnswerListener } from '../discord/client.js';
import type { BotMetrics } from './bot-metrics.js';

/**
 * Feeds BotMetrics from what the bot's Discord clients see, at one place: every REST answer (errors by status,
 * rate limits and server errors that discord.js sends again) and the acknowledgement of each interaction, timed
 * from its arrival to Discord's answer to the callback. The callback's URL carries the interaction's token: only
 * its id is read, nothing of it is kept or logged.
 */
export interface DiscordObserver {
  /** For the gateway client's REST, which resends on 429 and on 5xx / no answer (discord.js `retries`, 3). */
  readonly gatewayRest: RestAnswerListener;
  /** For the upload REST, which never resends (see createUploadRest). */
  readonly uploadRest: RestAnswerListener;
  /** An interaction arrived (before it is routed). */
  arrived(interactionId: string): void;
  /** Its handler finished: an acknowledgement not timed by now never will be. */
  settled(interactionId: string): void;
}

const callback = /\/interactions\/(\d+)\/[^/]+\/callback(?:\?|$)/;

export function createDiscordObserver(metrics: BotMetrics, clock: Clock): DiscordObserver {
  const arrivals = new Map<string, number>();
  const count = (resends: boolean): RestAnswerListener => (url, answer) => {
    if (typeof answer === 'number' && answer < 400) {
      const id = answer < 300 ? callback.exec(url)?.[1] : undefined;
      const at = id === undefined ? undefined : arrivals.get(id);
      if (at !== undefined) {
        metrics.acknowledged(clock.now() - at);
        arrivals.delete(id!);
      }
      return;
    }
    metrics.apiError('discord', String(answer));
    if (!resends) return;
    if (answer === 429) metrics.apiRetry('discord', 'rate-limited');
    else if (typeof answer !== 'number' || answer >= 500) metrics.apiRetry('discord', 'server-error');
  };
  return {
    gatewayRest: count(true),
    uploadRest: count(false),
    arrived: (id) => void arrivals.set(id, clock.now()),
    settled: (id) => void arrivals.delete(id),
  };
}
