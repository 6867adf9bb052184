import type { FieldType, SchemaField } from './schema.js';

/**
 * One value checked against one schema field, and converted to the field's type. Cog validates strictly ("a numeric
 * string for a numeric field is rejected", reference/models.md §4), and Discord hands some values over as text, so
 * the conversion happens here, once, before anything is sent.
 */
export type FieldValue =
  | { ok: true; value: string | number | boolean }
  | { ok: false; problem: 'wrong-type'; expected: FieldType }
  | { ok: false; problem: 'not-allowed'; allowed: readonly (string | number)[] }
  | { ok: false; problem: 'out-of-range'; min?: number; max?: number };

export function toFieldValue(field: SchemaField, raw: unknown): FieldValue {
  const value = convert(field.type, raw);
  if (value === undefined) return { ok: false, problem: 'wrong-type', expected: field.type };
  if (field.enum !== undefined && !field.enum.includes(value as string | number)) {
    return { ok: false, problem: 'not-allowed', allowed: field.enum };
  }
  if (typeof value === 'number' && !inRange(field, value)) {
    return { ok: false, problem: 'out-of-range', ...bounds(field) };
  }
  return { ok: true, value };
}

function convert(type: FieldType, raw: unknown): string | number | boolean | undefined {
  switch (type) {
    case 'string':
      // An enum of numbers written as text ("5", "10") still takes a number from an INTEGER option.
      return typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined;
    case 'integer': {
      const n = toNumber(raw);
      return n !== undefined && Number.isInteger(n) ? n : undefined;
    }
    case 'number':
      return toNumber(raw);
    case 'boolean':
      return typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : undefined;
    default:
      return undefined;
  }
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  return undefined;
}

function inRange(field: SchemaField, value: number): boolean {
  return (field.minimum === undefined || value >= field.minimum) && (field.maximum === undefined || value <= field.maximum);
}

function bounds(field: SchemaField): { min?: number; max?: number } {
  return {
    ...(field.minimum !== undefined ? { min: field.minimum } : {}),
    ...(field.maximum !== undefined ? { max: field.maximum } : {}),
  };
}
