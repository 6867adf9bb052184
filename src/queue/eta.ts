/**
 * Honest waiting times from the bot's own history: the median of recent generation times for a clip's duration,
 * the jobs ahead and the guild's concurrency. No history, no estimate (a guess would be a promise we cannot keep).
 */
export interface GenerationSample {
  /** Seconds of video (5 or 10). */
  duration: number;
  ms: number;
}

const kept = 25;

export class GenerationHistory {
  private readonly samples = new Map<number, number[]>();
  /** Medians by duration, until the next sample (the queue asks for them on every move of a line). */
  private readonly medians = new Map<number, number | undefined>();

  constructor(initial: readonly GenerationSample[] = []) {
    for (const sample of initial) this.record(sample.duration, sample.ms);
  }

  record(duration: number, ms: number): void {
    if (!(ms > 0)) return;
    const list = this.samples.get(duration) ?? [];
    list.push(ms);
    if (list.length > kept) list.shift();
    this.samples.set(duration, list);
    this.medians.delete(duration);
  }

  median(duration: number): number | undefined {
    if (!this.medians.has(duration)) this.medians.set(duration, this.computeMedian(duration));
    return this.medians.get(duration);
  }

  private computeMedian(duration: number): number | undefined {
    const list = this.samples.get(duration);
    if (!list?.length) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** Plain JSON for the store. */
  toSamples(): GenerationSample[] {
    return [...this.samples].flatMap(([duration, list]) => list.map((ms) => ({ duration, ms })));
  }
}

/** What the line's estimate needs of the history: the median generation time of a clip duration, if known. */
export type MedianOf = (duration: number) => number | undefined;

export interface LineEstimate {
  /** Jobs of the guild given their turn, with how long each has been generating (absent: not started yet). */
  running: readonly { duration: number; elapsedMs?: number | undefined }[];
  /** Jobs the guild may run at once. */
  concurrency: number;
  median: MedianOf;
}

/**
 * Plays a guild's slots forward, one waiting job at a time in line order: each call takes the next job's duration
 * and answers the milliseconds until its video should be ready, with the median generation time of each job's
 * duration (a running job takes what is left of its median, nothing once past it). Undefined from the first job
 * whose line holds a duration without history, and for every job after it: without it any number would be a guess.
 * Each step costs O(concurrency), so a long line is estimated in one pass.
 */
export function lineEstimator(o: LineEstimate): (duration: number) => number | undefined {
  const concurrency = Math.max(1, o.concurrency);
  const medians = new Map<number, number | undefined>();
  const medianOf = (duration: number) => {
    if (!medians.has(duration)) medians.set(duration, o.median(duration));
    return medians.get(duration);
  };
  /** When each busy slot frees up (ms from now), ascending. */
  const ends: number[] = [];
  let unknown = false;
  for (const job of o.running) {
    const median = medianOf(job.duration);
    if (median === undefined) unknown = true;
    else insertSorted(ends, Math.max(0, median - (job.elapsedMs ?? 0)));
  }
  // The line moves in order: no job starts before the one ahead of it.
  let at = 0;
  return (duration) => {
    const median = unknown ? undefined : medianOf(duration);
    if (median === undefined) {
      unknown = true;
      return undefined;
    }
    while (ends.length > 0 && ends[0]! <= at) ends.shift();
    if (ends.length >= concurrency) {
      at = ends[ends.length - concurrency]!;
      while (ends.length > 0 && ends[0]! <= at) ends.shift();
    }
    insertSorted(ends, at + median);
    return at + median;
  };
}

/** The estimate for a whole line at once (see lineEstimator). */
export function estimateLine(o: LineEstimate & { waiting: readonly { duration: number }[] }): (number | undefined)[] {
  const next = lineEstimator(o);
  return o.waiting.map((job) => next(job.duration));
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > value) i--;
  list.splice(i, 0, value);
}

/** "under a minute", "about 4 min", "about 1 h 20 min": rounded up, coarser as it grows. */
export function describeEta(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 1) return ms < 60_000 ? 'under a minute' : 'about 1 min';
  if (minutes < 60) return `about ${minutes <= 10 ? minutes : Math.ceil(minutes / 5) * 5} min`;
  const rounded = Math.ceil(minutes / 10) * 10;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  return rest ? `about ${hours} h ${rest} min` : `about ${hours} h`;
}

/** A running job's time left: "about 3 min left", or plainly "taking longer than usual" once past its estimate. */
export function describeRemaining(ms: number): string {
  return ms > 0 ? `${describeEta(ms)} left` : 'taking longer than usual';
}
