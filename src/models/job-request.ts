import type { VideoRequest } from '../queue/job.js';
import type { ModelRoles } from './roles.js';
import { toModelInput, type ModelInput, type RoleRequest } from './to-input.js';

/** The model a job runs on: the one it carries, else the default model (every job stored before models were chosen). */
export function modelOfRequest(request: Pick<VideoRequest, 'model'>, defaultModel: string): string {
  return request.model ?? defaultModel;
}

/** A stored request by roles (what the options mean, whatever the model calls them); `firstFrame` is the image's URL. */
export function toRoleRequest(request: VideoRequest, firstFrame?: string): RoleRequest {
  const byRole: RoleRequest = { prompt: request.prompt };
  if (request.negativePrompt !== undefined) byRole.negative_prompt = request.negativePrompt;
  if (firstFrame !== undefined) byRole.first_frame = firstFrame;
  if (request.duration !== undefined) byRole.duration = request.duration;
  if (request.aspectRatio !== undefined) byRole.aspect_ratio = request.aspectRatio;
  if (request.resolution !== undefined) byRole.resolution = request.resolution;
  if (request.audio !== undefined) byRole.audio = request.audio;
  if (request.seed !== undefined) byRole.seed = request.seed;
  if (request.cfgScale !== undefined) byRole.guidance = request.cfgScale;
  return byRole;
}

/** The model input of a stored request on `model` (toModelInput), the first frame's URL in its own field. */
export function requestInput(request: VideoRequest, model: ModelRoles, firstFrame?: string): ModelInput {
  return toModelInput(toRoleRequest(request, firstFrame), model);
}

/** The field the model takes the first frame in (`start_image` for kling, `image` for veo). */
export function firstFrameField(model: ModelRoles | undefined): string {
  return model?.fields.first_frame?.field.name ?? 'start_image';
}
