import type { PredictionSnapshot } from './ports.js';

/** Longest model error text we show a member. */
const maxDetail = 200;

/**
 * The model's error text, kept because it often says what to change (e.g. flagged content), but a JSON body is
 * reduced to its message, links are dropped (they may be signed) and the text is cut to one short line.
 */
function readable(error: string): string {
  let text = error.trim();
  if (text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const message = [body.detail, body.message, body.error, body.title].find((v) => typeof v === 'string');
      text = typeof message === 'string' ? message : '';
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  text = text
    .replace(/\b(?:https?|data):\S+/g, '(link)')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxDetail ? `${text.slice(0, maxDetail - 1).trimEnd()}…` : text;
}

/** Replicate keeps outputs about an hour; after that the URL answers 404/410 (or the prediction says dataRemoved). */
export const videoGoneReason =
  'The video was ready but Replicate no longer has it (outputs are kept about an hour). Please run /video again.';

/** Replicate answers "not found" for the prediction itself, again and again. */
export const predictionGoneReason = 'Replicate no longer has this video, so it cannot be delivered. Please run /video again.';

/** Plain words for a prediction that ended without a video (failed, aborted, canceled, or no output). */
export function describePredictionEnd(snapshot: PredictionSnapshot): string {
  if (snapshot.status === 'canceled') return 'The video was canceled at Replicate.';
  if (snapshot.status === 'aborted') return 'Replicate stopped the video before it finished.';
  if (snapshot.status === 'succeeded' && snapshot.dataRemoved) {
    return videoGoneReason;
  }
  if (snapshot.status === 'succeeded') return 'The model finished but returned no video.';
  const detail = snapshot.error ? readable(snapshot.error) : '';
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
