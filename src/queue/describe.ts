import type { PredictionSnapshot } from './ports.js';

/** Longest model error text we show a member. */
const maxDetail = 160;

function shorten(text: string): string {
  // Model errors can quote URLs (signed file links): a member never sees those.
  const oneLine = text.replace(/https?:\/\/\S+/g, '[link]').replace(/\s+/g, ' ').trim();
  return oneLine.length > maxDetail ? `${oneLine.slice(0, maxDetail - 1)}…` : oneLine;
}

/** Plain words for a prediction that ended without a video (failed, aborted, canceled, or no output). */
export function describePredictionEnd(snapshot: PredictionSnapshot): string {
  if (snapshot.status === 'canceled') return 'The video was canceled at Replicate.';
  if (snapshot.status === 'succeeded' && snapshot.dataRemoved) {
    return 'The video was ready but Replicate no longer has it (outputs are kept about an hour). Please run /video again.';
  }
  if (snapshot.status === 'succeeded') return 'The model finished but returned no video.';
  const detail = snapshot.error ? shorten(snapshot.error) : '';
  if (!detail) return 'The model could not make this video.';
  return `The model could not make this video: ${detail}`;
}

/** The member's line for a fault on our side: the job id doubles as the reference an operator greps for. */
export function describeFault(jobId: string): string {
  return `Something went wrong on our side (reference ${jobId}).`;
}

export function describeCancel(byModerator: boolean): string {
  return byModerator ? 'Canceled by a moderator.' : 'Canceled by the requester.';
}
