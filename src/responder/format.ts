import type { Job } from '../queue/job.js';

/** "45s", "1m 20s", "1h 5m": elapsed times a member reads at a glance. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/** Whole MB as Discord counts them (MiB): 10485760 → "10 MB", 26214400 → "25 MB". */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** One line, at most `max` characters (by code point), with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * `“a cat surfing…” · google/veo-3-fast · 16:9 · 10 s · cfg 0.7`: the prompt, the model when it is not the default
 * (a job records only such a model), and only the options the member set.
 */
export function summarizeRequest(job: Job, options: { promptMax?: number; alwaysSeconds?: boolean } = {}): string {
  const { request } = job;
  const parts = [`“${shorten(request.prompt, options.promptMax ?? 80)}”`];
  if (request.model) parts.push(request.model);
  if (request.aspectRatio) parts.push(request.aspectRatio);
  if (request.duration) parts.push(`${request.duration} s`);
  else if (options.alwaysSeconds) parts.push(`${job.seconds} s`);
  if (request.cfgScale !== undefined) parts.push(`cfg ${request.cfgScale}`);
  if (request.resolution) parts.push(request.resolution);
  if (request.audio !== undefined) parts.push(request.audio ? 'with sound' : 'no sound');
  if (request.seed !== undefined) parts.push(`seed ${request.seed}`);
  if (request.negativePrompt) parts.push(`avoiding “${shorten(request.negativePrompt, 40)}”`);
  if (job.image) parts.push(`from ${shorten(job.image.filename, 40)}`);
  return parts.join(' · ');
}
