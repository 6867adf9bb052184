import type { VideoRequest } from '../queue/job.js';

/**
 * The model input for kwaivgi/kling-v1.6-standard. Options the member left unset are not sent, so the model's own
 * defaults apply (and change with the model, not with us). `aspect_ratio` is sent even with an image; the model
 * ignores it then.
 */
export function toModelInput(request: VideoRequest, startImage?: string): Record<string, unknown> {
  const input: Record<string, unknown> = { prompt: request.prompt };
  if (request.negativePrompt !== undefined) input.negative_prompt = request.negativePrompt;
  if (request.aspectRatio !== undefined) input.aspect_ratio = request.aspectRatio;
  if (startImage !== undefined) input.start_image = startImage;
  if (request.cfgScale !== undefined) input.cfg_scale = request.cfgScale;
  if (request.duration !== undefined) input.duration = request.duration;
  return input;
}
