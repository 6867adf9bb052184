import * as spec from 'discord-api-spec/zod';
import * as z from 'zod/mini';
import { discordError, type Reply } from './http.js';
import { commandRules, messageRules, modalRules, type Rule } from './schema-rules.js';

/**
 * Checks the bodies the bot sends against Discord's published schema (`discord-api-spec`, generated from
 * discord/discord-api-spec) plus the documented limits that schema does not express (see schema-rules.ts). A refused
 * body gets Discord's `400 {code:50035, message:'Invalid Form Body', errors:{…}}` and a one-line `violation` that the
 * request log keeps, so `assertNoUnexpectedRequests()` fails the test naming it.
 */

export type BodyKind =
  | 'callback'
  | 'webhook-create'
  | 'webhook-edit'
  | 'message-create'
  | 'message-edit'
  | 'commands';

/** One problem with a body: where (Discord's path: keys and array indexes), Discord's error code and message. */
export interface BodyIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/**
 * `default_member_permissions` is a bitfield Discord takes (and returns) as a string (discord.js sends `"32"`); the
 * generated schema says number. Accept a string of digits, a number or null, nothing else.
 */
const permissionBits = z.nullish(z.union([z.string().check(z.regex(/^\d+$/)), z.number().check(z.minimum(0))]));
const command = z.extend(spec.ApplicationCommandUpdateRequestSchema, { default_member_permissions: permissionBits });
const commandList = z.array(command).check(z.maxLength(100));

function schemaFor(kind: BodyKind, callbackType: number | undefined): z.ZodMiniType | undefined {
  switch (kind) {
    case 'callback':
      if (callbackType === 4 || callbackType === 5) return spec.CreateMessageInteractionCallbackRequestSchema;
      if (callbackType === 6 || callbackType === 7) return spec.UpdateMessageInteractionCallbackRequestSchema;
      if (callbackType === 8) return spec.ApplicationCommandAutocompleteCallbackRequestSchema;
      if (callbackType === 9) return spec.ModalInteractionCallbackRequestSchema;
      return undefined;
    case 'webhook-create':
      return spec.IncomingWebhookRequestPartialSchema;
    case 'webhook-edit':
      return spec.IncomingWebhookUpdateRequestPartialSchema;
    case 'message-create':
      return spec.MessageCreateRequestSchema;
    case 'message-edit':
      return spec.MessageEditRequestPartialSchema;
    case 'commands':
      return commandList;
  }
}

function rulesFor(kind: BodyKind, callbackType: number | undefined): { rules: Rule[]; at: string[] } {
  if (kind === 'commands') return { rules: commandRules, at: [] };
  if (kind !== 'callback') return { rules: messageRules(kind), at: [] };
  if (callbackType === 9) return { rules: modalRules, at: ['data'] };
  if (callbackType === 4 || callbackType === 7) return { rules: messageRules('callback'), at: ['data'] };
  return { rules: [], at: [] };
}

type Issue = z.core.$ZodIssue;

/**
 * Of a union's branches, the one whose shape and `type` matched with the fewest problems: what Discord would report
 * on. A branch refused as a whole (wrong JSON type, e.g. `undefined`) or for its `type` literal is not a match.
 */
function bestBranch(branches: Issue[][]): Issue[] | undefined {
  const typed = branches.filter(
    (issues) =>
      !issues.some(
        (i) =>
          (i.code === 'invalid_type' && i.path.length === 0) ||
          (i.code === 'invalid_value' && i.path.length === 1 && i.path[0] === 'type'),
      ),
  );
  return typed.sort((a, b) => a.length - b.length)[0];
}

function toBodyIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): BodyIssue[] {
  return issues.flatMap((issue): BodyIssue[] => {
    const path = [...prefix, ...issue.path].map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'invalid_union') {
      const branch = bestBranch(issue.errors);
      if (branch) return toBodyIssues(branch, path);
      return [{ path, code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of the allowed types.' }];
    }
    return [{ path, ...describe(issue) }];
  });
}

/** Discord's code and wording for a zod issue (as Discord words them in 50035 bodies). */
function describe(issue: Issue): { code: string; message: string } {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'number'
        ? { code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${issue.maximum}.` }
        : { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${issue.maximum} or fewer in length.` };
    case 'too_small':
      return issue.origin === 'number'
        ? { code: 'NUMBER_TYPE_MIN', message: `int value should be greater than or equal to ${issue.minimum}.` }
        : { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${issue.minimum} or more in length.` };
    case 'invalid_type':
      return issue.input === undefined
        ? { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }
        : {
            code: `BASE_TYPE_${issue.expected.toUpperCase()}`,
            message: `Could not interpret ${JSON.stringify(issue.input)} as ${issue.expected}.`,
          };
    case 'invalid_value':
      return { code: 'BASE_TYPE_CHOICES', message: `Value must be one of (${issue.values.map(String).join(', ')}).` };
    case 'invalid_format':
      return issue.format === 'url'
        ? { code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }
        : { code: 'STRING_TYPE_REGEX', message: 'String value did not match validation regex.' };
    default:
      return { code: 'BASE_TYPE_BAD', message: issue.message };
  }
}

/** Discord's nested `errors` object: `{data:{embeds:{0:{title:{_errors:[{code,message}]}}}}}`. */
function toErrorTree(issues: BodyIssue[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = tree;
    for (const key of issue.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code: issue.code, message: issue.message });
  }
  return tree;
}

export function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(body)';
}

export interface CheckContext {
  /** For callbacks: the callback type. */
  callbackType?: number;
  /** For edits: the flags of the message being edited (components v2 rules depend on them). */
  messageFlags?: number;
}

/**
 * The spec types `attachments[].id` as a snowflake string, but the placeholder of a new upload (`files[n]` → `n`) is
 * an integer in Discord's own "Uploading Files" example (`"id": 0`), and Discord takes it. Such ids are read as their
 * string form before the schema sees them; nothing else is changed.
 */
function withStringAttachmentIds(kind: BodyKind, body: unknown): unknown {
  const fix = (message: unknown): unknown => {
    if (typeof message !== 'object' || message === null || !Array.isArray((message as Record<string, unknown>).attachments)) {
      return message;
    }
    const attachments = ((message as Record<string, unknown>).attachments as unknown[]).map((a) =>
      typeof a === 'object' && a !== null && Number.isSafeInteger((a as { id?: unknown }).id) && ((a as { id: number }).id >= 0)
        ? { ...a, id: String((a as { id: number }).id) }
        : a,
    );
    return { ...(message as Record<string, unknown>), attachments };
  };
  if (kind === 'commands') return body;
  if (kind !== 'callback') return fix(body);
  if (typeof body !== 'object' || body === null) return body;
  const data = (body as Record<string, unknown>).data;
  return data === undefined ? body : { ...(body as Record<string, unknown>), data: fix(data) };
}

/** The problems Discord would find with `body`, schema first, then the documented limits the schema lacks. */
export function findBodyIssues(kind: BodyKind, body: unknown, ctx: CheckContext = {}): BodyIssue[] {
  const schema = schemaFor(kind, ctx.callbackType);
  const found: BodyIssue[] = [];
  if (schema) {
    const result = z.safeParse(schema, withStringAttachmentIds(kind, body), { reportInput: true });
    if (!result.success) found.push(...toBodyIssues(result.error.issues));
  }
  const { rules, at } = rulesFor(kind, ctx.callbackType);
  let target: unknown = body;
  for (const key of at) target = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[key] : undefined;
  if (target !== undefined && target !== null) {
    for (const rule of rules) {
      for (const issue of rule(target, ctx)) found.push({ ...issue, path: [...at, ...issue.path] });
    }
  }
  return found;
}

/** Discord's 50035 refusal for a body with problems, carrying a `violation` line for the request log; else undefined. */
export function checkBody(kind: BodyKind, body: unknown, ctx: CheckContext = {}): Reply | undefined {
  const issues = findBodyIssues(kind, body, ctx);
  if (issues.length === 0) return undefined;
  const reply = discordError(400, 50035, 'Invalid Form Body', toErrorTree(issues));
  const where = kind === 'callback' ? `callback type ${ctx.callbackType ?? '?'}` : kind;
  const list = issues.map((i) => `${formatPath(i.path)}: ${i.code} ${i.message}`).join('; ');
  return { ...reply, violation: `${where} body refused: ${list}` };
}
