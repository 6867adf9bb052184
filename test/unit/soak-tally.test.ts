import { describe, expect, it } from 'vitest';
import type { InteractionRecord, MessageWithHistory, RecordedMessage } from '../fakes/discord/fake-discord.js';
import type { FakePrediction } from '../fakes/replicate/fake-replicate.js';
import type { PlannedJob } from '../../bench/soak/plan.js';
import { judge, judgeAll, totals, type JobObservation } from '../../bench/soak/tally.js';

const userId = '300000000000000007';
const job: PlannedJob = { index: 0, tag: 'soak-001', prompt: 'soak-001 a red fox at dawn', member: 7, guild: 7, submitAtMs: 0 };

function message(content: string, extra: Partial<RecordedMessage> = {}): RecordedMessage {
  return {
    id: `m${Math.random()}`,
    channelId: 'c1',
    content,
    components: [],
    embeds: [],
    attachments: [],
    flags: 0,
    allowedMentions: { parse: [] },
    at: 0,
    ...extra,
  };
}
const video = { attachments: [{ id: 'a', filename: 'video.mp4', contentType: 'video/mp4', size: 3, bytes: Buffer.from('mp4'), url: 'u' }] };
const withHistory = (...versions: RecordedMessage[]): MessageWithHistory => ({ ...versions.at(-1)!, history: versions });

function interaction(original: RecordedMessage[], extra: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    id: 'i1',
    token: 't',
    applicationId: 'app',
    kind: 'command',
    commandName: 'video',
    customId: undefined,
    guildId: 'g',
    channelId: 'c1',
    userId,
    attachmentSizeLimit: 10 * 1024 * 1024,
    dispatchedAt: 0,
    ackType: 5,
    ackAt: 1,
    ephemeral: false,
    ackBody: { type: 5 },
    original: original.at(-1) ?? message('', { flags: 128 }),
    originalHistory: original,
    followUps: [],
    ...extra,
  };
}

function prediction(outcome: 'succeeded' | 'failed'): FakePrediction {
  return {
    id: `r8${Math.random()}`,
    model: 'kwaivgi/kling-v1.6-standard',
    input: { prompt: job.prompt },
    createdAt: 0,
    durationMs: 1000,
    outcome,
    error: undefined,
    output: Buffer.alloc(0),
    startImage: undefined,
    canceledAt: undefined,
  };
}

function observed(patch: Partial<JobObservation>): JobObservation {
  return {
    job,
    userId,
    interactions: [],
    jobIds: ['job-1'],
    stored: undefined,
    predictions: [prediction('succeeded')],
    claimedPredictions: [],
    usageRows: [],
    channelMessages: [],
    cancelPressed: false,
    ...patch,
  };
}

const ping = () => withHistory(message(`<@${userId}> your video is ready ↑`, { allowedMentions: { parse: [], users: [userId] } }));

describe('the soak tally', () => {
  it('counts a video edited into the reply plus one ping as one delivery, however often the reply was edited', () => {
    const done = message('✅ video', video);
    const record = interaction([message('Starting…'), message('🎬 Generating…'), done, { ...done, at: 5 }], { followUps: [{ ...ping(), editedLoadingOriginal: false }] });
    const verdict = judge(observed({ interactions: [record] }));
    expect(verdict).toMatchObject({ outcome: 'delivered', videoPosts: 1, pings: 1, predictions: 1 });
  });

  it('counts the video posted again in the channel as a duplicate post, with its ping as a duplicate ping', () => {
    const record = interaction([message('✅ video', video)], { followUps: [{ ...ping(), editedLoadingOriginal: false }] });
    const again = withHistory(message(`✅ <@${userId}>'s video: “soak-001 a red fox…”`, { ...video, allowedMentions: { parse: [], users: [userId] } }));
    const verdict = judge(observed({ interactions: [record], channelMessages: [again] }));
    expect(verdict).toMatchObject({ outcome: 'delivered', videoPosts: 2, pings: 2 });
    expect(totals([verdict])).toMatchObject({ duplicateVideoPosts: 1, duplicatePings: 1, delivered: 1 });
  });

  it('holds a failure of our own against the target, and a failure the model decided is not held against it', () => {
    const ours = judge(observed({ interactions: [interaction([message('❌ Something went wrong on our side (reference 5f0c1d2e-1111-2222-3333-444455556666).\n“soak-001…”')])] }));
    const model = judge(
      observed({
        interactions: [interaction([message('❌ The model could not make this video: flagged (E005)\n“soak-001…”')])],
        predictions: [prediction('failed')],
      }),
    );
    const claimedByModel = judge(observed({ interactions: [interaction([message('❌ The model could not make this video: flagged')])] }));
    expect(ours).toMatchObject({ outcome: 'failed', failureClass: 'our own fault' });
    expect(model).toMatchObject({ outcome: 'failed', failureClass: "Replicate's decision" });
    // The bot said "the model" but the model succeeded at the fake: that is ours.
    expect(claimedByModel.failureClass).toBe('our own fault');
    const sum = totals([ours, model, claimedByModel]);
    expect(sum.failedOurFault).toBe(2);
    expect(sum.failedReasons).toContainEqual({
      reason: 'Something went wrong on our side (reference <job id>).',
      failureClass: 'our own fault',
      count: 1,
    });
  });

  it("counts a not-an-image failure of a member's bogus attachment as the member's input", () => {
    const verdict = judge(
      observed({
        job: { ...job, image: 'not-an-image' },
        predictions: [],
        interactions: [interaction([message('❌ The attachment is not a PNG, JPEG or WebP image.')])],
      }),
    );
    expect(verdict.failureClass).toBe("the member's input");
  });

  it('calls a job lost while the member sees no end, even when the store holds it as finished', () => {
    const stuck = judge(observed({ interactions: [interaction([message('🎬 Generating… 5s elapsed')])] }));
    const thinking = judge(observed({ interactions: [interaction([])], stored: { state: 'failed', reason: 'x' } as never }));
    expect(stuck).toMatchObject({ outcome: 'lost' });
    expect(thinking.outcome).toBe('lost');
    expect(thinking.reason).toContain('the store says failed: x');
    expect(totals([stuck, thinking])).toMatchObject({ lost: 2, lostButEndedInStore: 1 });
  });

  it('counts a job as duplicate-predicted when Replicate holds two predictions for its prompt', () => {
    const verdict = judge(
      observed({ interactions: [interaction([message('✅', video)])], predictions: [prediction('succeeded'), prediction('succeeded')] }),
    );
    expect(totals([verdict]).duplicatePredictions).toBe(1);
  });

  it('tells refused and never-acknowledged interactions apart from accepted jobs', () => {
    const refused = judge(observed({ interactions: [interaction([message('You already have 6 videos waiting.')], { ephemeral: true })] }));
    const unanswered = judge(observed({ interactions: [interaction([], { ackType: undefined }), interaction([], { ackType: undefined })] }));
    expect(refused.outcome).toBe('refused');
    expect(unanswered).toMatchObject({ outcome: 'never acknowledged', retriedInteractions: 1 });
    expect(totals([refused, unanswered])).toMatchObject({ accepted: 0, lost: 0, refused: 1, neverAcknowledged: 1 });
  });

  it('flags a cancel nobody asked for and a failure shown after the video was posted', () => {
    const canceled = judge(observed({ interactions: [interaction([message('Canceled\n“soak-001…”')])] }));
    const both = judge(observed({ interactions: [interaction([message('✅', video), message('❌ Something went wrong')])] }));
    expect(canceled).toMatchObject({ outcome: 'canceled', contradiction: 'canceled though nobody pressed Cancel' });
    expect(both.outcome).toBe('delivered');
    expect(both.contradiction).toMatch(/shown as failed/);
  });

  it('counts a request charged twice, and one charged whose video never reached its member, as double charges', () => {
    const delivered = () => [interaction([message('✅ video', video)], { followUps: [{ ...ping(), editedLoadingOriginal: false }] })];
    const once = judge(observed({ interactions: delivered(), usageRows: [{ jobId: 'job-1', state: 'done' }] }));
    // The member sent it again after no answer, and both jobs ran to a charge.
    const twice = judge(
      observed({ interactions: delivered(), jobIds: ['job-1', 'job-2'], usageRows: [{ jobId: 'job-1', state: 'done' }, { jobId: 'job-2', state: 'done' }] }),
    );
    const unseen = judge(observed({ interactions: [interaction([message('🎬 Generating… 5s elapsed')])], usageRows: [{ jobId: 'job-1', state: 'done' }] }));
    const refunded = judge(observed({ interactions: [interaction([message('❌ Something went wrong')])], usageRows: [{ jobId: 'job-1', state: 'failed' }] }));
    expect([once.charges, twice.charges, unseen.charges, refunded.charges]).toEqual([1, 2, 1, 0]);
    expect(totals([once, twice, unseen, refunded])).toMatchObject({ doubleCharges: 2, chargedTwice: 1, chargedUndelivered: 1 });
  });

  describe('two members pressing Regenerate on one video (three jobs, one prompt)', () => {
    const regenerate = (k: number): PlannedJob => ({ ...job, index: k, tag: `soak-001-r${k}`, member: 7 + k, regenerateOf: 0 });
    const [p1, p2, p3, p4] = [prediction('succeeded'), prediction('succeeded'), prediction('succeeded'), prediction('succeeded')];
    const deliveredTo = (id: string) => [interaction([message('✅ video', video)], { id })];

    it('tells each job its own prediction by what it claims, so three jobs with three predictions are no duplicate', () => {
      const verdicts = judgeAll([
        observed({ interactions: deliveredTo('i0'), predictions: [p1!, p2!, p3!], claimedPredictions: [p1!.id] }),
        observed({ job: regenerate(1), interactions: deliveredTo('i1'), jobIds: ['job-2'], predictions: [p1!, p2!, p3!], claimedPredictions: [p2!.id] }),
        observed({ job: regenerate(2), interactions: deliveredTo('i2'), jobIds: ['job-3'], predictions: [p1!, p2!, p3!], claimedPredictions: [p3!.id] }),
      ]);
      expect(verdicts.map((v) => [v.predictions, v.sharedPredictions, v.unclaimedPredictions])).toEqual([[1, 0, 0], [1, 0, 0], [1, 0, 0]]);
      expect(totals(verdicts)).toMatchObject({ duplicatePredictions: 0, sharedPredictions: 0 });
    });

    it('counts one prediction adopted by both pressers as shared, and the one nobody took as a duplicate', () => {
      const verdicts = judgeAll([
        observed({ interactions: deliveredTo('i0'), predictions: [p1!, p2!, p4!], claimedPredictions: [p1!.id] }),
        observed({ job: regenerate(1), interactions: deliveredTo('i1'), jobIds: ['job-2'], predictions: [p1!, p2!, p4!], claimedPredictions: [p2!.id] }),
        observed({ job: regenerate(2), interactions: deliveredTo('i2'), jobIds: ['job-3'], predictions: [p1!, p2!, p4!], claimedPredictions: [p2!.id] }),
      ]);
      expect(verdicts.map((v) => [v.predictions, v.sharedPredictions, v.unclaimedPredictions])).toEqual([[1, 0, 1], [1, 1, 0], [1, 1, 0]]);
      expect(totals(verdicts)).toMatchObject({ duplicatePredictions: 1, sharedPredictions: 2 });
    });
  });
});
