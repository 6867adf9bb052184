/**
 * Checks a create body's `input` the way Replicate checks it against kwaivgi/kling-v1.6-standard's schema, and
 * words the problems like Replicate's 422 body (`invalid_fields` plus a `detail` of "- field: description" lines).
 */
export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

const known = new Set(['prompt', 'negative_prompt', 'aspect_ratio', 'start_image', 'cfg_scale', 'duration']);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export function validateInput(input: unknown): InvalidField[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ type: 'invalid_type', field: 'input', description: `Invalid type. Expected: object, given: ${typeName(input)}` }];
  }
  const fields: InvalidField[] = [];
  const bad = (type: string, key: string, description: string) => fields.push({ type, field: `input.${key}`, description });
  const wrongType = (key: string, expected: string, value: unknown) =>
    bad('invalid_type', key, `Invalid type. Expected: ${expected}, given: ${typeName(value)}`);
  const values = input as Record<string, unknown>;

  if (!('prompt' in values)) fields.push({ type: 'required', field: 'input', description: 'prompt is required' });
  for (const [key, value] of Object.entries(values)) {
    if (!known.has(key)) {
      bad('additional_property_not_allowed', key, `Additional property ${key} is not allowed`);
    } else if (key === 'prompt' || key === 'negative_prompt') {
      if (typeof value !== 'string') wrongType(key, 'string', value);
    } else if (key === 'aspect_ratio') {
      if (typeof value !== 'string') wrongType(key, 'string', value);
      else if (!['16:9', '9:16', '1:1'].includes(value)) {
        bad('enum', key, 'aspect_ratio must be one of the following: "16:9", "9:16", "1:1"');
      }
    } else if (key === 'start_image') {
      if (typeof value !== 'string') wrongType(key, 'string', value);
      else if (!isUri(value)) bad('format', key, "Does not match format 'uri'");
    } else if (key === 'cfg_scale') {
      if (typeof value !== 'number') wrongType(key, 'number', value);
      else if (value < 0) bad('number_gte', key, 'Must be greater than or equal to 0');
      else if (value > 1) bad('number_lte', key, 'Must be less than or equal to 1');
    } else if (key === 'duration') {
      if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(key, 'integer', value);
      else if (value !== 5 && value !== 10) bad('enum', key, 'duration must be one of the following: 5, 10');
    }
  }
  return fields;
}

export function toValidationDetail(fields: readonly InvalidField[]): string {
  return fields.map((f) => `- ${f.field}: ${f.description}\n`).join('');
}
