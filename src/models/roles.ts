import { toFieldValue } from './field-value.js';
import { fitsRole, misfit, takes } from './role-fit.js';
import type { ModelOverride } from './models-file.js';
import type { ModelSchema, SchemaField } from './schema.js';

/**
 * What /video's options mean, whatever a model calls them. A role maps to one field of the model's schema; the
 * names below are how models on Replicate spell them (reference/models.md §6), first match wins. The models file
 * overrides the match for a model that spells things otherwise.
 */
export const roles = [
  'prompt', 'negative_prompt', 'first_frame', 'last_frame', 'duration', 'aspect_ratio', 'resolution', 'audio', 'seed', 'guidance',
] as const;
export type Role = (typeof roles)[number];

export const roleFieldNames: Readonly<Record<Role, readonly string[]>> = {
  prompt: ['prompt'],
  negative_prompt: ['negative_prompt'],
  first_frame: ['start_image', 'image', 'first_frame_image', 'input_image', 'first_frame'],
  last_frame: ['end_image', 'last_frame', 'last_frame_image', 'tail_image', 'last_image'],
  duration: ['duration', 'seconds'],
  aspect_ratio: ['aspect_ratio'],
  // `quality` and `mode` count only when their values are resolutions: kling-v2.1's mode is standard/pro.
  resolution: ['resolution', 'quality', 'mode'],
  audio: ['generate_audio', 'audio'],
  seed: ['seed'],
  guidance: ['cfg_scale', 'guidance_scale', 'cfg'],
};

/** A length given in frames: seconds × fps, sent with the fps it was computed at. */
const framesFieldNames = ['num_frames'];
const fpsFieldNames = ['frames_per_second', 'fps'];

export interface RoleField {
  role: Role;
  field: SchemaField;
  /** Only for `duration` on a frames model (wan): the fps the frame count is computed at, and its field. */
  frames?: { fps: number; fpsField: string };
}

export interface ModelRoles {
  schema: ModelSchema;
  /** The roles members may set. A role whose field the models file pins is not among them. */
  fields: Readonly<Partial<Record<Role, RoleField>>>;
  /** The field that sets the video's length, even when pinned: what a job's seconds are read from (length.ts). */
  length?: RoleField;
  /** The models file's fixed inputs, converted to the schema's types: sent with every job. */
  fixed: Readonly<Record<string, string | number | boolean>>;
}

export type RolesReading = { ok: true; roles: ModelRoles } | { ok: false; reason: string };

/** The roles this model takes, in the order /video lists its options. */
export function supportedRoles(model: ModelRoles): Role[] {
  return roles.filter((role) => model.fields[role] !== undefined);
}

/**
 * Which field serves which role. `reason` is one line for the operator when the models file does not fit the schema,
 * the model has no prompt, or a required field could never be filled (every job would fail at Replicate).
 */
export function rolesOf(schema: ModelSchema, override?: ModelOverride): RolesReading {
  const { model } = schema;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const fixed: Record<string, string | number | boolean> = {};
  for (const [name, raw] of Object.entries(override?.fixed ?? {})) {
    const field = byName.get(name);
    if (!field) return { ok: false, reason: `the models file fixes ${name} of ${model}, which its schema lacks` };
    const checked = toFieldValue(field, raw);
    if (!checked.ok) return { ok: false, reason: `the models file fixes ${name} of ${model} to ${JSON.stringify(raw)}; ${takes(checked)}` };
    fixed[name] = checked.value;
  }
  const fields: Partial<Record<Role, RoleField>> = {};
  let length: RoleField | undefined;
  for (const role of roles) {
    const named = override?.fields?.[role];
    let found: RoleField | undefined;
    if (named === null) continue;
    if (named !== undefined) {
      const field = byName.get(named);
      const mapped = `the models file maps ${role} of ${model} to ${named}`;
      if (!field) return { ok: false, reason: `${mapped}, which its schema lacks` };
      if (role === 'duration' && framesFieldNames.includes(named)) {
        found = framesOf(field, byName, fixed);
        if (!found) return { ok: false, reason: `${mapped}, a frame count without a frames-per-second field to convert seconds at` };
      }
      if (!found && !fitsRole(role, field, true)) {
        return { ok: false, reason: `${mapped}, ${misfit(role, field)}` };
      }
      found ??= { role, field };
    } else {
      const field = roleFieldNames[role].map((n) => byName.get(n)).find((f) => f && !f.deprecated && fitsRole(role, f, false));
      found = field ? { role, field } : undefined;
      if (!found && role === 'duration') found = framesOf(byName.get(framesFieldNames[0]!), byName, fixed);
    }
    if (role === 'duration') length = found;
    // A pinned field is the operator's choice: members no longer set it.
    if (found && !(found.field.name in fixed)) fields[role] = found;
  }
  const used = Object.values(fields).map((f) => f.field.name);
  const twice = used.find((name, i) => used.indexOf(name) !== i);
  if (twice !== undefined) return { ok: false, reason: `the models file maps two roles of ${model} to ${twice}` };
  if (!fields.prompt) return { ok: false, reason: `${model} has no prompt field: map one in the models file ("fields": {"prompt": "<field>"})` };
  const unfilled = schema.required.find((name) => !used.includes(name) && !(name in fixed));
  if (unfilled !== undefined) {
    return { ok: false, reason: `${model} requires ${unfilled}, which no /video option fills: map it to a role or fix its value in the models file` };
  }
  return { ok: true, roles: { schema, fields, fixed, ...(length ? { length } : {}) } };
}

/** A frames length needs an fps to convert at: pinned by the models file, else the fps field's default. */
function framesOf(frames: SchemaField | undefined, byName: Map<string, SchemaField>, fixed: Record<string, unknown>): RoleField | undefined {
  const fpsField = fpsFieldNames.map((n) => byName.get(n)).find((f) => f && (f.type === 'integer' || f.type === 'number'));
  if (!frames || frames.type !== 'integer' || !fpsField) return undefined;
  const fps = fixed[fpsField.name] ?? fpsField.default ?? fpsField.enum?.[0];
  return typeof fps === 'number' && fps > 0 ? { role: 'duration', field: frames, frames: { fps, fpsField: fpsField.name } } : undefined;
}
