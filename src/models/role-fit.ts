import type { FieldValue } from './field-value.js';
import type { Role } from './roles.js';
import type { FieldType, SchemaField } from './schema.js';

const resolutionLike = /^(\d{3,4}p|\d+x\d+|[248]k)$/i;

/**
 * Whether a field can carry a role: a name match alone is not enough (an `audio` field may be an audio file, not the
 * generate-audio switch). A field the models file names explicitly passes on type alone.
 */
export function fitsRole(role: Role, field: SchemaField, named: boolean): boolean {
  const { type } = field;
  switch (role) {
    case 'prompt':
    case 'negative_prompt':
      return type === 'string' && !field.isFile;
    case 'first_frame':
    case 'last_frame':
      return type === 'string';
    case 'duration':
      return type === 'integer' || type === 'number' || (type === 'string' && !!field.enum?.every((v) => !Number.isNaN(Number(v))));
    case 'aspect_ratio':
      return type === 'string' && !field.isFile;
    case 'resolution':
      if (named) return type === 'string' || type === 'integer';
      return type === 'string' && (field.name === 'resolution' || !!field.enum?.every((v) => resolutionLike.test(String(v))));
    case 'audio':
      return type === 'boolean';
    case 'seed':
      return type === 'integer';
    case 'guidance':
      return type === 'number' || type === 'integer';
  }
}

const typeWords: Record<FieldType, string> = {
  string: 'a text', integer: 'a whole-number', number: 'a number', boolean: 'a true/false', array: 'a list', object: 'an object', unknown: 'an untyped',
};
const kindWords: Record<Role, string> = {
  prompt: 'a text field', negative_prompt: 'a text field', first_frame: 'a file (URL) field', last_frame: 'a file (URL) field',
  duration: 'a number field (seconds) or num_frames', aspect_ratio: 'a text field', resolution: 'a text or whole-number field',
  audio: 'a true/false field', seed: 'a whole-number field', guidance: 'a number field',
};

export function takes(problem: Exclude<FieldValue, { ok: true }>): string {
  if (problem.problem === 'not-allowed') return `it takes ${problem.allowed.join(', ')}`;
  if (problem.problem === 'out-of-range') return `it takes ${problem.min ?? '…'} to ${problem.max ?? '…'}`;
  return `it takes ${typeWords[problem.expected].replace(/^an? /, '')} values`;
}

/** Why a field named in the models file cannot carry the role, for the operator's start-up line. */
export function misfit(role: Role, field: SchemaField): string {
  return `${typeWords[field.type]} field; ${role} needs ${kindWords[role]}`;
}
