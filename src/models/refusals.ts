import type { FieldType } from './schema.js';
import type { Role } from './roles.js';

/**
 * Why a request does not fit the chosen model: a value with a stable code and its parameters, decided before the
 * acknowledgement so the member sees it ephemerally. The sentence is rendered at the edge; the English one below
 * stands in until the message catalogue takes these codes.
 */
export type ModelRefusal =
  | { code: 'role-not-supported'; params: { role: Role; model: string; supported: Role[] } }
  | { code: 'value-not-allowed'; params: { role: Role; model: string; allowed: readonly (string | number)[] } }
  | { code: 'value-out-of-range'; params: { role: Role; model: string; min?: number; max?: number } }
  | { code: 'value-wrong-type'; params: { role: Role; model: string; expected: FieldType } }
  | { code: 'input-required'; params: { role: Role; model: string } };

export type ModelRefusalCode = ModelRefusal['code'];

const roleWords: Record<Role, string> = {
  prompt: 'prompt',
  negative_prompt: 'negative prompt',
  first_frame: 'first frame image',
  last_frame: 'last frame image',
  duration: 'length',
  aspect_ratio: 'aspect ratio',
  resolution: 'resolution',
  audio: 'audio',
  seed: 'seed',
  guidance: 'guidance',
};

const article = (words: string) => (/^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`);
const unit = (role: Role) => (role === 'duration' ? ' seconds' : '');

function either(values: readonly (string | number)[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** Plain English, one line, naming what the model takes instead. */
export function renderModelRefusal(refusal: ModelRefusal): string {
  const { role, model } = refusal.params;
  const what = article(roleWords[role]);
  switch (refusal.code) {
    case 'role-not-supported':
      return `${model} does not take ${what}. It takes: ${refusal.params.supported.map((r) => roleWords[r]).join(', ')}.`;
    case 'value-not-allowed':
      return `${model} takes ${what} of ${either(refusal.params.allowed)}${unit(role)}.`;
    case 'value-out-of-range': {
      const { min, max } = refusal.params;
      const range = min === undefined ? `up to ${max}` : max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
      return `${model} takes ${what} ${range}${unit(role)}.`;
    }
    case 'value-wrong-type':
      return `${model} takes ${what} that is ${refusal.params.expected === 'integer' ? 'a whole number' : `a ${refusal.params.expected}`}.`;
    case 'input-required':
      return `${model} needs ${what}: add one and try again.`;
  }
}
