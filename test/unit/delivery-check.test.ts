import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { createDeliveryCheck } from '../../src/responder/delivery-check.js';
import { snowflakeAt, type DiscordApi, type SeenMessage } from '../../src/responder/discord-api.js';
import { renderChannelReadyPing, renderDone, renderReadyPing } from '../../src/responder/progress-view.js';
import { captureLog } from './queue-doubles.js';

const postedAt = Date.UTC(2026, 11, 1, 10);
const app = '1400000000000000100';

function job(id: string, interactionId: string): Job {
  return {
    id, guildId: 'g', userId: '1400000000000000001', seq: 1, state: 'delivering', request: { prompt: 'a kite' }, seconds: 5,
    reply: { applicationId: app, interactionId, interactionToken: 't', interactionAt: postedAt - 60_000, channelId: 'c', attachmentSizeLimit: 1 },
    createdAt: postedAt - 60_000, updatedAt: postedAt, postedAt,
  };
}

function checkOver(messages: SeenMessage[], original?: SeenMessage) {
  const api = {
    listChannelMessages: async () => messages,
    getOriginal: async () => original,
  } as unknown as DiscordApi;
  return createDeliveryCheck(api, captureLog().log);
}

const message = (content: string, extra: Partial<SeenMessage> = {}, at = postedAt + 1_000): SeenMessage =>
  ({ id: snowflakeAt(at), content, author: { id: app }, ...extra }) as SeenMessage;

describe('whether a member was already pinged about one job', () => {
  const mine = job('aaaaaaaa-1111', '1400000000000000201');
  const other = job('bbbbbbbb-2222', '1400000000000000202');

  it('finds the follow-up of this job’s own interaction, and not another job’s', async () => {
    const otherFollowUp = message(renderReadyPing(other).content, { interaction_metadata: { id: other.reply.interactionId } } as Partial<SeenMessage>);
    expect(await checkOver([otherFollowUp]).pinged(mine, mine.reply, postedAt)).toBe(false);
    const ownFollowUp = message(renderReadyPing(mine).content, { interaction_metadata: { id: mine.reply.interactionId } } as Partial<SeenMessage>);
    expect(await checkOver([otherFollowUp, ownFollowUp]).pinged(mine, mine.reply, postedAt)).toBe(true);
  });

  it('finds this job’s channel ping by its reference, not the same member’s ping about another video', async () => {
    const otherPing = message(renderChannelReadyPing(other).content);
    expect(await checkOver([otherPing]).pinged(mine, mine.reply, postedAt)).toBe(false);
    expect(await checkOver([otherPing, message(renderChannelReadyPing(mine).content)]).pinged(mine, mine.reply, postedAt)).toBe(true);
  });

  it('cannot tell when the history reads empty (no Read Message History)', async () => {
    expect(await checkOver([]).pinged(mine, mine.reply, postedAt)).toBeUndefined();
  });
});

describe('whether one job’s video is already up', () => {
  // The same member sent the same /video twice (or pressed Regenerate twice): both videos read the same headline.
  const first = job('aaaaaaaa-1111', '1400000000000000201');
  const second = job('bbbbbbbb-2222', '1400000000000000202');
  const delivered = (of: Job): SeenMessage => {
    const view = renderDone(of, { durationMs: 90_000 });
    return message(view.content, { components: view.components, attachments: [{ filename: 'video.mp4' }] } as Partial<SeenMessage>);
  };

  it('does not take another job’s video in the channel for this one’s, though the headline is the same', async () => {
    expect(delivered(first).content).toBe(delivered(second).content);
    expect(await checkOver([delivered(first)]).inChannel(second, second.reply, postedAt, postedAt + 60_000)).toBe(false);
    const found = await checkOver([delivered(first), delivered(second)]).inChannel(second, second.reply, postedAt, postedAt + 60_000);
    expect(found && found.id).toBe(delivered(second).id);
  });

  it('does not take another job’s video on the reply for this one’s (a press’s reply starts as the pressed message)', async () => {
    expect(await checkOver([], delivered(first)).onOriginal(second, second.reply)).toBeUndefined();
    expect(await checkOver([], delivered(second)).onOriginal(second, second.reply)).toMatchObject({ kind: 'attachment' });
  });

  it('does not take a message of someone else that copies the video’s text and buttons', async () => {
    const copy = { ...delivered(second), author: { id: '1400000000000000999' } };
    expect(await checkOver([copy]).inChannel(second, second.reply, postedAt, postedAt + 60_000)).toBe(false);
  });
});
