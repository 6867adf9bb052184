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

  constructor(initial: readonly GenerationSample[] = []) {
    for (const sample of initial) this.record(sample.duration, sample.ms);
  }

  record(duration: number, ms: number): void {
    if (!(ms > 0)) return;
    const list = this.samples.get(duration) ?? [];
    list.push(ms);
    if (list.length > kept) list.shift();
    this.samples.set(duration, list);
  }

  median(duration: number): number | undefined {
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

/**
 * Milliseconds until a job's video should be ready: `position` is its 1-based place among its guild's waiting jobs
 * (absent once it runs), `elapsedMs` how long it has been generating.
 */
export function estimateRemainingMs(o: { medianMs: number; concurrency: number; position?: number; elapsedMs?: number }): number {
  if (o.position === undefined) return Math.max(0, o.medianMs - (o.elapsedMs ?? 0));
  // Jobs start in waves of `concurrency`: the running ones are about half done on average.
  const waves = Math.ceil(o.position / Math.max(1, o.concurrency));
  return (waves - 0.5) * o.medianMs + o.medianMs;
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
