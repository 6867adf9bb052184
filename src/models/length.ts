import type { ModelRoles } from './roles.js';

/**
 * How many seconds of video an input makes: the length field's value, or the schema's default when the input leaves
 * it out (the model then uses that default). Frames models: frames ÷ fps. Undefined when the model has no length
 * field or its schema gives no default.
 */
export function videoSecondsOf(input: Readonly<Record<string, unknown>>, model: ModelRoles): number | undefined {
  const length = model.length;
  if (!length) return undefined;
  const value = input[length.field.name] ?? length.field.default;
  const amount = typeof value === 'string' ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) return undefined;
  if (!length.frames) return amount;
  const fps = input[length.frames.fpsField] ?? length.frames.fps;
  return typeof fps === 'number' && fps > 0 ? amount / fps : undefined;
}
