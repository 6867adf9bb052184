import { baseInteraction, type InteractionContextInput, type InteractionScene } from './interaction-payloads.js';
import type { SlashOptionValue } from './interaction-options.js';
import type { ModalData, StoredCommand } from './state.js';

/** The message a member right-clicks, or a pressed button's message; a `RecordedMessage` from the fake fits. */
export type MessageRef = string | { id: string };

export interface MessageCommandInput extends InteractionContextInput {
  /** The registered message command's name, e.g. 'Animate image'. */
  name: string;
  /** The target: a message in the fake (a member's from `postMessage`, or the bot's). */
  message: MessageRef;
}

export interface ModalSubmitInput extends InteractionContextInput {
  /** The modal's custom_id; default the modal `from` showed. */
  customId?: string;
  /** The interaction that showed the modal (its handle or id): gives the custom_id, the shape and `message`. */
  from?: string | { id: string };
  /** Text input values by custom_id; inputs left out are submitted empty. */
  fields: Record<string, string>;
  /** The message the modal was opened from (a button on it); default the `from` button's message. */
  message?: MessageRef;
}

export interface AutocompleteInput extends InteractionContextInput {
  name: string;
  subcommand?: string;
  /** Options typed so far; the `focused` one is what the member is typing. */
  options?: Record<string, SlashOptionValue>;
  focused: string;
}

export function messageCommandPayload(
  scene: InteractionScene,
  input: MessageCommandInput,
  commandId: string,
  command: StoredCommand | undefined,
  target: Record<string, unknown>,
): Record<string, unknown> {
  const targetId = String(target.id);
  return {
    ...baseInteraction(scene),
    type: 2,
    data: {
      id: commandId,
      name: input.name,
      type: 3,
      target_id: targetId,
      resolved: { messages: { [targetId]: target } },
      ...(command?.guild_id && scene.guildId ? { guild_id: command.guild_id } : {}),
    },
  };
}

interface TextInputShape {
  type: number;
  custom_id?: unknown;
}

/** The text inputs of a modal, with the Label (type 18) or legacy Action Row (type 1) each sits in. */
function textInputs(modal: ModalData): { wrapper: number; input: TextInputShape }[] {
  const found: { wrapper: number; input: TextInputShape }[] = [];
  for (const component of modal.components as { type: number; component?: TextInputShape; components?: TextInputShape[] }[]) {
    if (component.type === 18 && component.component?.type === 4) found.push({ wrapper: 18, input: component.component });
    if (component.type === 1) for (const input of component.components ?? []) if (input.type === 4) found.push({ wrapper: 1, input });
  }
  return found;
}

/**
 * MODAL_SUBMIT's `data.components`, in the shape of the modal that was shown when there is one (Label, or the legacy
 * Action Row), else in the Label shape. Every text input of the shown modal is submitted (empty when not given); a
 * field the modal lacks, or a required one left empty, is the test's mistake and throws.
 */
export function submittedComponents(modal: ModalData | undefined, fields: Record<string, string>): unknown[] {
  let nextId = 1;
  const wrap = (wrapper: number, customId: string, value: string): unknown => {
    const outer = nextId++;
    const inner = { type: 4, id: nextId++, custom_id: customId, value };
    return wrapper === 18 ? { type: 18, id: outer, component: inner } : { type: 1, id: outer, components: [inner] };
  };
  if (!modal) return Object.entries(fields).map(([customId, value]) => wrap(18, customId, value));
  const inputs = textInputs(modal);
  const known = new Set(inputs.map((i) => String(i.input.custom_id)));
  const unknown = Object.keys(fields).filter((f) => !known.has(f));
  if (unknown.length > 0) throw new Error(`fake discord: modal ${modal.custom_id} has no input ${unknown.join(', ')}`);
  return inputs.map(({ wrapper, input }) => {
    const customId = String(input.custom_id);
    const value = fields[customId] ?? '';
    if (value === '' && (input as { required?: unknown }).required !== false) {
      throw new Error(`fake discord: input ${customId} of modal ${modal.custom_id} is required; Discord would not submit`);
    }
    return wrap(wrapper, customId, value);
  });
}

export function modalSubmitPayload(
  scene: InteractionScene,
  customId: string,
  components: unknown[],
  message: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    ...baseInteraction(scene),
    type: 5,
    ...(message ? { message } : {}),
    data: { custom_id: customId, components },
  };
}

/** A text input of a shown modal, as a test reads it back. */
export interface ModalTextInput {
  customId: string;
  /** The Label's text (or the deprecated text input label). */
  label: string | undefined;
  description: string | undefined;
  /** 1 short, 2 paragraph. */
  style: number;
  /** Discord's default is true. */
  required: boolean;
  /** The prefill. */
  value: string | undefined;
  placeholder: string | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
}

export function readModalInputs(modal: ModalData): ModalTextInput[] {
  return (modal.components as Record<string, unknown>[]).flatMap((component) => {
    const inputs =
      component.type === 18
        ? [component.component as Record<string, unknown>]
        : component.type === 1
          ? (component.components as Record<string, unknown>[])
          : [];
    return inputs
      .filter((i) => i?.type === 4)
      .map((i) => ({
        customId: String(i.custom_id),
        label: (component.type === 18 ? component.label : i.label) as string | undefined,
        description: component.description as string | undefined,
        style: Number(i.style),
        required: i.required !== false,
        value: i.value as string | undefined,
        placeholder: i.placeholder as string | undefined,
        minLength: i.min_length as number | undefined,
        maxLength: i.max_length as number | undefined,
      }));
  });
}
