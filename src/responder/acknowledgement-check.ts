import { DiscordAPIError } from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AcknowledgementAnswer, CheckAcknowledgement } from '../queue/ports.js';
import { describeRestError, isTransientError, type DiscordApi } from './discord-api.js';

const ephemeralFlag = 64;
/** Unknown Message: the interaction has no response (none was ever made). */
const unknownMessage = 10008;
/** Unknown Webhook: no response was made, or (as some answers to an expired token read) the token is gone. */
const unknownWebhook = 10015;

export interface AcknowledgementCheckOptions {
  api: Pick<DiscordApi, 'getOriginal'>;
  clock: Clock;
  log: Logger;
  /** Interaction tokens live 15 minutes: past that, Discord can no longer say what the member saw. */
  tokenLifetimeMs?: number;
  /** Waits before each further read after a Discord fault (how many: the attempts after the first). */
  backoffMs?: readonly number[];
}

/**
 * Reads the interaction's original response back: a deferred reply (not ephemeral) is the job's progress, an
 * ephemeral one is the "try again" refusal, none at all means the member was never answered. Anything Discord will
 * not say plainly is 'unknown', and the job runs: a job the member may have been promised is never dropped.
 */
export function createAcknowledgementCheck(o: AcknowledgementCheckOptions): CheckAcknowledgement {
  const tokenLifetimeMs = o.tokenLifetimeMs ?? 15 * 60_000;
  const backoffMs = o.backoffMs ?? [1_000, 4_000, 15_000];
  return async (job, signal) => {
    const log = o.log.child({ jobId: job.id, guildId: job.guildId, userId: job.userId });
    for (let attempt = 0; ; attempt++) {
      try {
        const original = await o.api.getOriginal(job.reply);
        return ((original.flags ?? 0) & ephemeralFlag) !== 0 ? 'not-acknowledged' : 'acknowledged';
      } catch (err) {
        const answer = answerOf(err, o.clock.now() - job.reply.interactionAt < tokenLifetimeMs);
        if (answer) return answer;
        const wait = backoffMs[attempt];
        if (!isTransientError(err) || wait === undefined) {
          log.warn({ err: describeRestError(err) }, 'could not read the acknowledgement back');
          return 'unknown';
        }
        try {
          await o.clock.sleep(wait, signal);
        } catch {
          return 'unknown';
        }
      }
    }
  };
}

function answerOf(err: unknown, tokenAlive: boolean): AcknowledgementAnswer | undefined {
  if (!(err instanceof DiscordAPIError)) return undefined;
  if (err.code === unknownMessage) return 'not-acknowledged';
  if (err.code === unknownWebhook) return tokenAlive ? 'not-acknowledged' : 'unknown';
  return undefined;
}
