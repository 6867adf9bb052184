/** The bot processes' JSON log lines, read incrementally and indexed by job and prediction. */
import type { BotProcess, LogEntry } from '../../test/harness/bot-process.js';

export interface IndexedEntry {
  /** Which bot process (1 = the first start). */
  process: number;
  entry: LogEntry;
}

/** Log lines that tie a prediction to a job. */
const claims = new Set(['prediction created', 'prediction adopted', 'prediction adopted after an ambiguous create']);

export class BotLogs {
  private readonly read = new Map<BotProcess, { index: number; offset: number }>();
  readonly entries: IndexedEntry[] = [];
  /** interaction id → job id, from "soak job seen". */
  readonly jobOfInteraction = new Map<string, string>();
  /** job id → the predictions the bot said it created or adopted for it. */
  readonly predictionsOfJob = new Map<string, Set<string>>();

  add(bot: BotProcess): void {
    if (!this.read.has(bot)) this.read.set(bot, { index: this.read.size + 1, offset: 0 });
  }

  /** Parses the lines written since the last call. */
  update(): void {
    for (const [bot, state] of this.read) {
      const lines = bot.stdoutLines;
      for (; state.offset < lines.length; state.offset++) {
        let entry: LogEntry;
        try {
          entry = JSON.parse(lines[state.offset]!) as LogEntry;
        } catch {
          continue;
        }
        this.entries.push({ process: state.index, entry });
        if (entry.msg === 'soak job seen') this.jobOfInteraction.set(String(entry.interactionId), String(entry.jobId));
        if (claims.has(String(entry.msg)) && entry.jobId !== undefined && entry.predictionId !== undefined) {
          const jobId = String(entry.jobId);
          this.predictionsOfJob.set(jobId, (this.predictionsOfJob.get(jobId) ?? new Set()).add(String(entry.predictionId)));
        }
      }
    }
  }

  count(msg: string, process?: number): number {
    return this.entries.filter((e) => e.entry.msg === msg && (process === undefined || e.process === process)).length;
  }

  /** Lines about a job (by its id or one of its prediction ids), as short readable strings. */
  about(jobId: string | undefined, predictionIds: readonly string[], minLevel = 30): string[] {
    const ids = new Set(predictionIds);
    return this.entries
      .filter(({ entry }) => (entry.level as number) >= minLevel)
      .filter(({ entry }) => (jobId !== undefined && entry.jobId === jobId) || ids.has(String(entry.predictionId)))
      .map(({ process, entry }) => `#${process} ${levelName(entry.level as number)} ${String(entry.msg)}${details(entry)}`);
  }
}

function levelName(level: number): string {
  return level >= 50 ? 'ERROR' : level >= 40 ? 'WARN' : level >= 30 ? 'info' : 'debug';
}

function details(entry: LogEntry): string {
  const keep = ['state', 'op', 'applied', 'reason', 'delivery', 'status', 'attempt', 'failures', 'predictionId', 'refusal'];
  const parts = keep.filter((k) => entry[k] !== undefined).map((k) => `${k}=${JSON.stringify(entry[k])}`);
  const err = entry.err as { message?: string; type?: string; code?: unknown; status?: unknown } | undefined;
  if (err) {
    const text = err.message ?? [err.type, err.code, err.status].filter(Boolean).join(' ');
    parts.push(`err=${JSON.stringify(text.length > 140 ? `${text.slice(0, 139)}…` : text)}`);
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}
