import type { Prediction } from 'replicate';
import type { PredictionSnapshot, PredictionStatusName } from '../queue/ports.js';

const statuses = new Set<PredictionStatusName>(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']);
const terminal = new Set<PredictionStatusName>(['succeeded', 'failed', 'canceled', 'aborted']);

export function isTerminalStatus(status: PredictionStatusName): boolean {
  return terminal.has(status);
}

/** The part of Replicate's prediction JSON the queue needs. An unknown status reads as still running. */
export function toSnapshot(prediction: Prediction): PredictionSnapshot {
  const status = statuses.has(prediction.status) ? prediction.status : 'processing';
  const snapshot: PredictionSnapshot = { id: prediction.id, status };
  const output: unknown = prediction.output;
  const url = Array.isArray(output) ? (output as unknown[]).at(-1) : output;
  if (typeof url === 'string') snapshot.output = url;
  if (prediction.error !== undefined && prediction.error !== null) {
    snapshot.error = typeof prediction.error === 'string' ? prediction.error : JSON.stringify(prediction.error);
  }
  if (prediction.data_removed) snapshot.dataRemoved = true;
  return snapshot;
}

/** Generation time as Replicate measured it (created to completed), if both timestamps are there. */
export function generationMs(prediction: Prediction): number | undefined {
  const created = Date.parse(prediction.created_at);
  const completed = prediction.completed_at ? Date.parse(prediction.completed_at) : Number.NaN;
  return Number.isNaN(created) || Number.isNaN(completed) ? undefined : completed - created;
}
