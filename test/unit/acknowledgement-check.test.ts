import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { createAcknowledgementCheck } from '../../src/responder/acknowledgement-check.js';
import type { SeenMessage } from '../../src/responder/discord-api.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog, draft } from './queue-doubles.js';

const apiError = (code: number, status: number) =>
  new DiscordAPIError({ code, message: 'refused' }, code, status, 'GET', 'https://discord.test/webhooks/app/token/messages/@original', {});
const serverError = () => new HTTPError(503, 'Service Unavailable', 'GET', 'https://discord.test/', {});

function setUp(answers: (SeenMessage | Error)[]) {
  const clock = new ManualClock();
  const base = draft('g1', 'alice');
  const job: Job = {
    id: 'job-1', guildId: 'g1', userId: 'alice', seq: 1, state: 'queued', request: base.request, seconds: 5,
    reply: { ...base.reply, interactionAt: clock.now() - 60_000 }, createdAt: clock.now() - 60_000, updatedAt: clock.now() - 60_000,
  };
  let reads = 0;
  const check = createAcknowledgementCheck({
    api: {
      getOriginal: async () => {
        const answer = answers[Math.min(reads++, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    clock,
    log: captureLog().log,
    backoffMs: [1_000, 2_000],
  });
  return { clock, job, check, reads: () => reads };
}

const original = (flags: number): SeenMessage => ({ id: '1', content: '', attachments: [], flags });

/** The answer for Discord answering this, at once. */
function answerFor(answer: SeenMessage | Error) {
  const { check, job } = setUp([answer]);
  return check(job, new AbortController().signal);
}

describe('what a member was shown for a job whose acknowledgement outcome is unknown', () => {
  it('a deferred reply is an acknowledgement; an ephemeral reply is the refusal', async () => {
    expect(await answerFor(original(0))).toBe('acknowledged');
    expect(await answerFor(original(128))).toBe('acknowledged');
    expect(await answerFor(original(64))).toBe('not-acknowledged');
  });

  it('no response at all (Unknown Message, Unknown Webhook while the token lives) is not an acknowledgement', async () => {
    expect(await answerFor(apiError(10008, 404))).toBe('not-acknowledged');
    expect(await answerFor(apiError(10015, 404))).toBe('not-acknowledged');
  });

  it('an expired token cannot say: unknown (the job runs)', async () => {
    expect(await answerFor(apiError(50027, 401))).toBe('unknown');
    const signal = new AbortController().signal;
    const late = setUp([apiError(10015, 404)]);
    await late.clock.advance(15 * 60_000);
    expect(await late.check(late.job, signal)).toBe('unknown');
  });

  it('retries a Discord fault with backoff on the clock, then answers unknown', async () => {
    const signal = new AbortController().signal;
    const recovering = setUp([serverError(), original(64)]);
    const first = recovering.check(recovering.job, signal);
    await recovering.clock.advance(1_000);
    expect(await first).toBe('not-acknowledged');

    const down = setUp([serverError()]);
    const second = down.check(down.job, signal);
    await down.clock.advance(1_000);
    await down.clock.advance(2_000);
    expect(await second).toBe('unknown');
    expect(down.reads()).toBe(3);
  });
});
