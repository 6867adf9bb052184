/**
 * What each job came to, read the way a member and an operator would: the messages at the fake Discord, the
 * predictions at the fake Replicate, and the store after the last restart. Pure: the run collects, this counts.
 */
import type { Job } from '../../src/queue/job.js';
import type { InteractionRecord, MessageWithHistory, RecordedMessage } from '../../test/fakes/discord/fake-discord.js';
import type { FakePrediction } from '../../test/fakes/replicate/fake-replicate.js';
import type { PlannedJob } from './plan.js';

export interface JobObservation {
  job: PlannedJob;
  userId: string;
  /** Every /video the member sent for this job (a retry follows an interaction the bot never answered). */
  interactions: InteractionRecord[];
  /** Job ids the bot gave these interactions ("soak job seen"). */
  jobIds: string[];
  /** The store's record after the last restart. */
  stored: Job | undefined;
  /** Predictions at the fake Replicate with this job's prompt (a Regenerate job shares its source's prompt). */
  predictions: FakePrediction[];
  /** Prediction ids the bot's log lines ("prediction created", "… adopted …") and the store tie to this job. */
  claimedPredictions: string[];
  /** The ledger's usage rows of this job's ids (a row in state `done` is a charge). */
  usageRows: { jobId: string; state: string }[];
  /** Messages in the guild's channel that name this job. */
  channelMessages: MessageWithHistory[];
  cancelPressed: boolean;
}

export type Outcome = 'delivered' | 'failed' | 'canceled' | 'lost' | 'refused' | 'never acknowledged';
export type FailureClass = "the member's input" | "Replicate's decision" | 'our own fault';

export interface JobVerdict {
  tag: string;
  outcome: Outcome;
  jobId: string | undefined;
  reason?: string;
  failureClass?: FailureClass;
  predictions: number;
  /** Of this job's predictions, how many another job with the same input claims too (an adoption shared). */
  sharedPredictions: number;
  /** Predictions with the prompt of this job's group that no job of it claims (counted on the group's first job). */
  unclaimedPredictions: number;
  videoPosts: number;
  pings: number;
  /** Usage rows charged (state `done`) for the member's one request. */
  charges: number;
  /** The member saw a failure although the video was posted, or a cancel nobody asked for. */
  contradiction?: string;
  storeState: Job['state'] | undefined;
  /** The store's reason, when it holds one. */
  storeReason: string | undefined;
  retriedInteractions: number;
}

const videoName = 'video.mp4';
const hasVideo = (m: RecordedMessage) => m.attachments.some((a) => a.filename === videoName) || /the link expires/.test(m.content);
const mentions = (m: RecordedMessage, userId: string) =>
  ((m.allowedMentions as { users?: string[] } | undefined)?.users ?? []).includes(userId);

/** The first line after "❌ " in what the member sees, if the job was shown as failed. */
function failureText(content: string): string | undefined {
  const match = /(?:^|\s)❌ ([^\n]*)/.exec(content);
  return match?.[1]?.trim();
}

export function judge(o: JobObservation): JobVerdict {
  const acked = o.interactions.filter((i) => i.ackType !== undefined);
  const accepted = acked.find((i) => !i.ephemeral);
  const base = {
    tag: o.job.tag,
    jobId: o.jobIds[0],
    predictions: o.predictions.length,
    sharedPredictions: 0,
    unclaimedPredictions: 0,
    charges: o.usageRows.filter((r) => r.state === 'done').length,
    storeState: o.stored?.state,
    storeReason: o.stored?.reason,
    retriedInteractions: Math.max(0, o.interactions.length - 1),
  };
  if (!accepted) {
    const refusal = acked.find((i) => i.ephemeral);
    const reason = refusal ? (refusal.original?.content ?? 'refused') : undefined;
    return { ...base, outcome: refusal ? 'refused' : 'never acknowledged', ...(reason ? { reason } : {}), videoPosts: 0, pings: 0 };
  }
  const original = accepted.originalHistory;
  const current = accepted.original;
  const videoPosts =
    (original.some(hasVideo) ? 1 : 0) +
    o.channelMessages.filter((m) => m.history.some(hasVideo)).length +
    accepted.followUps.filter((f) => f.history.some(hasVideo)).length;
  const pings =
    accepted.followUps.filter((f) => /your video is ready/.test(f.content)).length +
    o.channelMessages.filter((m) => m.history.some(hasVideo) && mentions(m, o.userId)).length;
  const shown = [current?.content ?? '', ...o.channelMessages.map((m) => m.content)];
  const failure = shown.map(failureText).find((t) => t !== undefined);
  const canceled = shown.some((c) => /^(<@\d+> )?Canceled/.test(c));
  const verdict = { ...base, videoPosts, pings };
  if (videoPosts > 0) {
    const contradiction = failure !== undefined ? `video posted, yet shown as failed: ${failure}` : undefined;
    return { ...verdict, outcome: 'delivered', ...(contradiction ? { contradiction } : {}) };
  }
  if (failure !== undefined) {
    return { ...verdict, outcome: 'failed', reason: failure, failureClass: classify(o, failure) };
  }
  if (canceled) {
    const contradiction = o.cancelPressed ? undefined : 'canceled though nobody pressed Cancel';
    return { ...verdict, outcome: 'canceled', ...(contradiction ? { contradiction } : {}) };
  }
  const lastShown = current?.content ? current.content.split('\n')[0] : '"is thinking…" (the deferred reply, never edited)';
  const stored = o.stored ? `; the store says ${o.stored.state}${o.stored.reason ? `: ${o.stored.reason}` : ''}` : '';
  return { ...verdict, outcome: 'lost', reason: `last shown: ${lastShown}${stored}` };
}

/**
 * Judges every job. Jobs with the same prompt (a video and its Regenerates) are told apart by the predictions each
 * claims: a job's predictions are its claimed ones, a prediction two jobs claim is shared, and one of the prompt
 * that no job claims is unclaimed (paid for, used by nobody). A job alone with its prompt is judged by the count
 * at Replicate, which needs no claim.
 */
export function judgeAll(observations: readonly JobObservation[]): JobVerdict[] {
  const groups = new Map<string, JobObservation[]>();
  for (const o of observations) groups.set(o.job.prompt, [...(groups.get(o.job.prompt) ?? []), o]);
  return observations.map((o) => {
    const group = groups.get(o.job.prompt)!;
    if (group.length === 1) return judge(o);
    const mine = new Set(o.claimedPredictions);
    const verdict = judge({ ...o, predictions: o.predictions.filter((p) => mine.has(p.id)) });
    const others = new Set(group.filter((g) => g !== o).flatMap((g) => g.claimedPredictions));
    const claimed = new Set(group.flatMap((g) => g.claimedPredictions));
    const unclaimed = group[0] === o ? o.predictions.filter((p) => !claimed.has(p.id)).length : 0;
    return { ...verdict, sharedPredictions: [...mine].filter((id) => others.has(id)).length, unclaimedPredictions: unclaimed };
  });
}

function classify(o: JobObservation, reason: string): FailureClass {
  if (o.job.image === 'not-an-image' && /not a PNG, JPEG or WebP/.test(reason)) return "the member's input";
  if (/^The model could not make this video/.test(reason) && o.predictions.some((p) => p.outcome === 'failed')) {
    return "Replicate's decision";
  }
  return 'our own fault';
}

export interface SoakTotals {
  submitted: number;
  accepted: number;
  delivered: number;
  failed: number;
  failedReasons: { reason: string; failureClass: FailureClass; count: number }[];
  canceled: number;
  refused: number;
  neverAcknowledged: number;
  memberRetries: number;
  lost: number;
  /** Lost to the member although the store holds the job as finished (the last message never got through). */
  lostButEndedInStore: number;
  failedOurFault: number;
  contradictions: number;
  /** Jobs with more than one prediction, or groups of identical inputs with a prediction no job claims. */
  duplicatePredictions: number;
  /** Jobs that share a prediction with another job (an ambiguous create adopted by both). */
  sharedPredictions: number;
  duplicateVideoPosts: number;
  /** Requests charged twice, or charged without their video reaching the member. */
  doubleCharges: number;
  chargedTwice: number;
  chargedUndelivered: number;
  duplicatePings: number;
  deliveredWithoutPing: number;
  stillActiveInStore: number;
}

/** Reasons carry job ids ("reference …"): those are folded so equal reasons count together. */
const foldReason = (reason: string) => reason.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<job id>');

export function totals(verdicts: readonly JobVerdict[]): SoakTotals {
  const count = (p: (v: JobVerdict) => boolean) => verdicts.filter(p).length;
  const reasons = new Map<string, { reason: string; failureClass: FailureClass; count: number }>();
  for (const v of verdicts) {
    if (v.outcome !== 'failed') continue;
    const reason = foldReason(v.reason ?? '');
    const key = `${v.failureClass}|${reason}`;
    const entry = reasons.get(key) ?? { reason, failureClass: v.failureClass!, count: 0 };
    entry.count++;
    reasons.set(key, entry);
  }
  const accepted = (v: JobVerdict) => v.outcome !== 'refused' && v.outcome !== 'never acknowledged';
  return {
    submitted: verdicts.length,
    accepted: count(accepted),
    delivered: count((v) => v.outcome === 'delivered'),
    failed: count((v) => v.outcome === 'failed'),
    failedReasons: [...reasons.values()].sort((a, b) => b.count - a.count),
    canceled: count((v) => v.outcome === 'canceled'),
    refused: count((v) => v.outcome === 'refused'),
    neverAcknowledged: count((v) => v.outcome === 'never acknowledged'),
    memberRetries: verdicts.reduce((n, v) => n + v.retriedInteractions, 0),
    lost: count((v) => v.outcome === 'lost'),
    lostButEndedInStore: count((v) => v.outcome === 'lost' && ['done', 'failed', 'canceled'].includes(v.storeState ?? '')),
    failedOurFault: count((v) => v.failureClass === 'our own fault'),
    contradictions: count((v) => v.contradiction !== undefined),
    duplicatePredictions: count((v) => v.predictions > 1 || v.unclaimedPredictions > 0),
    sharedPredictions: count((v) => v.sharedPredictions > 0),
    duplicateVideoPosts: count((v) => v.videoPosts > 1),
    doubleCharges: count((v) => v.charges > 1 || (v.charges > 0 && v.videoPosts === 0)),
    chargedTwice: count((v) => v.charges > 1),
    chargedUndelivered: count((v) => v.charges > 0 && v.videoPosts === 0),
    duplicatePings: count((v) => v.pings > 1),
    deliveredWithoutPing: count((v) => v.outcome === 'delivered' && v.pings === 0),
    stillActiveInStore: count((v) => accepted(v) && v.storeState !== undefined && !['done', 'failed', 'canceled'].includes(v.storeState)),
  };
}
