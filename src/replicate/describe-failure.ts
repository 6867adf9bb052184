import type { PredictionSnapshot } from '../queue/ports.js';

const limit = 200;

/**
 * Plain words for a member about a prediction that did not succeed. The model's error text is kept (it often says
 * what to change, e.g. flagged content), but JSON is reduced to its message, links are dropped (they may be signed)
 * and the text is cut to about 200 characters.
 */
export function describeFailure(snapshot: PredictionSnapshot): string {
  if (snapshot.status === 'canceled') return 'The video was canceled at Replicate.';
  if (snapshot.status === 'aborted') return 'Replicate stopped the video before it finished.';
  const text = snapshot.error === undefined ? '' : readable(snapshot.error);
  return text ? `The model could not make this video: ${text}` : 'The model could not make this video.';
}

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
  return text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}…` : text;
}
