import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job, ReplyTarget } from '../queue/job.js';
import type { DeliveryCheck } from './delivery-check.js';
import { UploadTimeoutError, describeRestError, isAmbiguousError, isDeadReplyError, nonceFor, type DiscordApi } from './discord-api.js';
import { renderChannelReadyPing, renderReadyPing } from './progress-view.js';

const pingTimeoutMs = 30_000;
/** How long a ping is retried through a Discord outage: the video is up, the member should hear of it. */
const pingPatienceMs = 30 * 60_000;

export interface ReadyPingOptions {
  api: DiscordApi;
  check: DeliveryCheck;
  clock: Clock;
  log: Logger;
  tokenLifetimeMs: number;
  /** First wait before a failed ping is sent again (default 2000 ms, doubled, at most 2 min). */
  retryBackoffMs?: number;
}

export function createReadyPing(o: ReadyPingOptions) {
  const tokenAlive = (reply: ReplyTarget) => o.clock.now() - reply.interactionAt < o.tokenLifetimeMs;

  /**
   * Pings the member once: a follow-up while the token lives, else a channel message (nonce'd). An unanswered
   * try is checked against the channel's history before it is sent again. Resolves true once a ping landed.
   * Not tied to the delivery's signal: the video is up, and a ping left half-way would be the worse outcome.
   */
  async function ping(job: Job, reply: ReplyTarget, postedAt: number, stop?: AbortSignal): Promise<boolean> {
    const view = renderReadyPing(job);
    const giveUpAt = o.clock.now() + pingPatienceMs;
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const { signal } = controller;
      const timer = o.clock.setTimer(pingTimeoutMs, () => controller.abort(new UploadTimeoutError(pingTimeoutMs)));
      try {
        if (tokenAlive(reply)) await o.api.followUp(reply, view, { signal });
        else await o.api.postChannelMessage(reply.channelId, renderChannelReadyPing(job), { signal, nonce: nonceFor(job.id, 'ping') });
        return true;
      } catch (err) {
        if (attempt <= 3 || attempt % 10 === 0) {
          o.log.warn({ jobId: job.id, err: describeRestError(signal.aborted ? signal.reason : err), attempt }, 'ready ping failed');
        }
        if (isDeadReplyError(err) && tokenAlive(reply)) {
          // The token died early (e.g. the app was removed): the channel is what is left.
          reply = { ...reply, interactionAt: -Infinity };
          continue;
        }
        if (!isAmbiguousError(err) && !signal.aborted) return false;
        if ((await o.check.pinged(job, reply, postedAt)) === true) return true;
        if (o.clock.now() >= giveUpAt) {
          o.log.error({ jobId: job.id, attempts: attempt }, 'ready ping given up: Discord kept failing');
          return false;
        }
        // Stopping ends the waiting (not a request in flight): the record says posted, not pinged, so the next
        // start checks the channel and pings then.
        await o.clock.sleep(Math.min(2 * 60_000, (o.retryBackoffMs ?? 2000) * 2 ** (attempt - 1)), stop);
      } finally {
        timer.cancel();
      }
    }
  }

  return ping;
}
