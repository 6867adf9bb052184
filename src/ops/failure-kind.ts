/**
 * A failed job's `reason` is the member's plain words (the model's own text included): one label value each would
 * be unbounded. This sorts it into a fixed set of kinds for the `reason` label of `videobot_job_failures_total`.
 */
export const failureKinds = [
  'model',
  'invalid-input',
  'replicate-refused',
  'replicate-ended',
  'output-gone',
  'download',
  'too-large',
  'post',
  'image',
  'not-acknowledged',
  'fault',
  'other',
] as const;
export type FailureKind = (typeof failureKinds)[number];

/** First match wins; the patterns follow the texts in src/queue/describe.ts, src/responder and src/replicate. */
const rules: [RegExp, FailureKind][] = [
  [/^The model /, 'model'],
  [/did not accept the video settings/, 'invalid-input'],
  [/^Replicate could not /, 'replicate-refused'],
  [/^Replicate stopped|canceled at Replicate/, 'replicate-ended'],
  [/no longer has (it|this video)/, 'output-gone'],
  [/could not be downloaded/, 'download'],
  [/larger than this bot accepts/, 'too-large'],
  [/could not be posted|can no longer post/, 'post'],
  [/image|attachment/i, 'image'],
  [/could not be acknowledged/, 'not-acknowledged'],
  [/went wrong on our side/, 'fault'],
];

export function failureKindOf(reason: string | undefined): FailureKind {
  if (!reason) return 'other';
  return rules.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
