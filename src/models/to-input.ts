import { toFieldValue } from './field-value.js';
import { videoSecondsOf } from './length.js';
import type { ModelRefusal } from './refusals.js';
import { supportedRoles, type ModelRoles, type Role, type RoleField } from './roles.js';

/** What the member asked for, by role. Unset roles are absent: the model's own defaults apply. */
export interface RoleRequest {
  prompt: string;
  negative_prompt?: string;
  /** The image's URL (before the acknowledgement, any placeholder URL: only its presence is checked). */
  first_frame?: string;
  last_frame?: string;
  /** Seconds of video; a frames model gets them as frames at its fps. */
  duration?: number;
  aspect_ratio?: string;
  resolution?: string;
  audio?: boolean;
  seed?: number;
  guidance?: number;
}

export type ModelInput =
  | { ok: true; input: Record<string, unknown>; seconds: number | undefined }
  | { ok: false; refusal: ModelRefusal };

/**
 * The model input for a request, or why the request does not fit the model. Pure: it runs before the
 * acknowledgement to refuse ephemerally, and again with the uploaded image's URL to build what is sent, with the same
 * outcome. Only fields the schema declares are sent (unknown ones get a 422 or are silently dropped, reference/
 * models.md §5), in the schema's order. `seconds`: the video's length, the model's default when the member set none.
 */
export function toModelInput(request: RoleRequest, model: ModelRoles): ModelInput {
  const name = model.schema.model;
  const values = new Map<string, unknown>();
  for (const [role, raw] of Object.entries(request) as [Role, unknown][]) {
    if (raw === undefined) continue;
    const mapped = model.fields[role];
    if (!mapped) {
      return { ok: false, refusal: { code: 'role-not-supported', params: { role, model: name, supported: supportedRoles(model) } } };
    }
    const refusal = role === 'duration' && mapped.frames ? setFrames(mapped, raw, values) : setValue(mapped, raw, values);
    if (refusal) return { ok: false, refusal: { ...refusal, params: { ...refusal.params, role, model: name } } as ModelRefusal };
  }
  for (const required of model.schema.required) {
    if (values.has(required) || required in model.fixed) continue;
    // rolesOf refuses a model whose required field neither a role nor a fixed input fills.
    const role = (Object.values(model.fields) as RoleField[]).find((f) => f.field.name === required)?.role;
    if (role === undefined) continue;
    return { ok: false, refusal: { code: 'input-required', params: { role, model: name } } };
  }
  const input: Record<string, unknown> = {};
  for (const field of model.schema.fields) {
    const value = model.fixed[field.name] ?? values.get(field.name);
    if (value !== undefined) input[field.name] = value;
  }
  return { ok: true, input, seconds: videoSecondsOf(input, model) };
}

type Problem = { code: ModelRefusal['code']; params: Record<string, unknown> };

function setValue(mapped: RoleField, raw: unknown, values: Map<string, unknown>): Problem | undefined {
  const checked = toFieldValue(mapped.field, raw);
  if (checked.ok) {
    values.set(mapped.field.name, checked.value);
    return undefined;
  }
  if (checked.problem === 'not-allowed') return { code: 'value-not-allowed', params: { allowed: allowedOf(mapped) } };
  if (checked.problem === 'out-of-range') {
    const { ok: _ok, problem: _problem, ...bounds } = checked;
    return { code: 'value-out-of-range', params: bounds };
  }
  // A fraction of a second for a model that takes whole seconds from a list: say the list.
  if (mapped.field.enum) return { code: 'value-not-allowed', params: { allowed: allowedOf(mapped) } };
  return { code: 'value-wrong-type', params: { expected: checked.expected } };
}

/** Seconds → round(seconds × fps) frames, clamped into the schema's range; the seconds allowed are frameRange's. */
function setFrames(mapped: RoleField, raw: unknown, values: Map<string, unknown>): Problem | undefined {
  const { fps, fpsField } = mapped.frames!;
  const { min, max } = secondsRange(mapped);
  if (typeof raw !== 'number' || !(raw > 0)) return { code: 'value-wrong-type', params: { expected: 'number' } };
  if ((min !== undefined && raw < min) || (max !== undefined && raw > max)) {
    return { code: 'value-out-of-range', params: secondsRange(mapped) };
  }
  const { minimum = 1, maximum = Number.POSITIVE_INFINITY } = mapped.field;
  values.set(mapped.field.name, Math.min(maximum, Math.max(minimum, Math.round(raw * fps))));
  values.set(fpsField, fps);
  return undefined;
}

/**
 * The whole seconds a frames model can come close to: each bound's frames ÷ fps, rounded (wan-fast's 81–121 frames at
 * 16 fps are 5.06–7.56 s: 5 to 8 s, each within a second of what it asked for).
 */
function secondsRange(mapped: RoleField): { min?: number; max?: number } {
  const fps = mapped.frames!.fps;
  const { minimum, maximum } = mapped.field;
  return {
    ...(minimum !== undefined ? { min: Math.max(1, Math.round(minimum / fps)) } : {}),
    ...(maximum !== undefined ? { max: Math.round(maximum / fps) } : {}),
  };
}

function allowedOf(mapped: RoleField): readonly (string | number)[] {
  const values = mapped.field.enum ?? [];
  return mapped.role === 'duration' ? values.map(Number) : values;
}

/**
 * The values a model takes for a role, for autocomplete: durations in whole seconds, aspect ratios, resolutions.
 * Empty when the model does not take the role; undefined when any value of the field's type goes (a prompt).
 */
export function valuesFor(role: Role, model: ModelRoles): readonly (string | number)[] | undefined {
  const mapped = model.fields[role];
  if (!mapped) return [];
  if (mapped.field.enum) return allowedOf(mapped);
  if (role !== 'duration') return undefined;
  const { min, max } = mapped.frames ? secondsRange(mapped) : { min: mapped.field.minimum, max: mapped.field.maximum };
  if (min === undefined || max === undefined) return undefined;
  const from = Math.max(1, Math.ceil(min));
  return Array.from({ length: Math.max(0, Math.floor(max) - from + 1) }, (_, i) => from + i);
}
