import type { BodyIssue, CheckContext } from './schema-check.js';

/**
 * Limits Discord documents (and enforces) that the generated schema does not express, or expresses too loosely:
 * the 6000-character total across a message's embeds, 5 action rows on a legacy message, 1–5 components in a modal,
 * custom ids unique in a message, what each button style needs, and the naming and ordering rules of commands.
 * The error codes follow Discord's style; where the exact code Discord answers is unverified, the comment says so.
 */
export type Rule = (body: unknown, ctx: CheckContext) => BodyIssue[];

type Json = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const COMPONENTS_V2 = 1 << 15;
export const MAX_EMBED_TOTAL = 6000;
/** Bots may send 2000 characters; the spec's 4000 for channel messages is the limit for Nitro users. */
const MAX_BOT_CONTENT = 2000;

/** Characters Discord counts towards the 6000 total: title, description, field names and values, footer, author. */
export function embedLength(embed: unknown): number {
  if (!isObject(embed)) return 0;
  const fields = list(embed.fields).reduce<number>(
    (sum, f) => sum + (isObject(f) ? text(f.name).length + text(f.value).length : 0),
    0,
  );
  const footer = isObject(embed.footer) ? text(embed.footer.text).length : 0;
  const author = isObject(embed.author) ? text(embed.author.name).length : 0;
  return text(embed.title).length + text(embed.description).length + fields + footer + author;
}

const embedTotal: Rule = (body) => {
  if (!isObject(body)) return [];
  const total = list(body.embeds).reduce<number>((sum, e) => sum + embedLength(e), 0);
  if (total <= MAX_EMBED_TOTAL) return [];
  return [
    { path: ['embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${MAX_EMBED_TOTAL}` },
  ];
};

const botContent: Rule = (body) => {
  if (!isObject(body) || text(body.content).length <= MAX_BOT_CONTENT) return [];
  return [{ path: ['content'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_BOT_CONTENT} or fewer in length.` }];
};

/** Every component under `components` (rows, sections' accessories, labels' children), with its path. */
function walkComponents(components: unknown, path: Path, visit: (c: Json, at: Path) => void): void {
  list(components).forEach((component, index) => {
    if (!isObject(component)) return;
    const at = [...path, index];
    visit(component, at);
    walkComponents(component.components, [...at, 'components'], visit);
    for (const key of ['accessory', 'component'] as const) {
      const child = component[key];
      if (isObject(child)) {
        visit(child, [...at, key]);
        walkComponents(child.components, [...at, key, 'components'], visit);
      }
    }
  });
}

const uniqueCustomIds: Rule = (body) => {
  if (!isObject(body)) return [];
  const seen = new Set<string>();
  const issues: BodyIssue[] = [];
  walkComponents(body.components, ['components'], (c, at) => {
    if (typeof c.custom_id !== 'string') return;
    if (seen.has(c.custom_id)) {
      issues.push({
        path: [...at, 'custom_id'],
        code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
        message: 'Component custom id cannot be duplicated',
      });
    }
    seen.add(c.custom_id);
  });
  return issues;
};

/** Styles 1–4 send an interaction (custom_id, no url), 5 is a link (url, no custom_id), 6 is premium (sku_id). */
const buttonFields: Rule = (body) => {
  if (!isObject(body)) return [];
  const issues: BodyIssue[] = [];
  walkComponents(body.components, ['components'], (c, at) => {
    if (c.type !== 2) return;
    const need = (field: string, code: string, message: string): void => {
      if (c[field] === undefined || c[field] === null) issues.push({ path: [...at, field], code, message });
    };
    const forbid = (field: string): void => {
      if (c[field] !== undefined && c[field] !== null) {
        issues.push({ path: [...at, field], code: 'BUTTON_COMPONENT_INVALID_FIELD', message: `This field is not allowed for this button style.` });
      }
    };
    // Exact codes unverified; discord.js's ButtonBuilder refuses the same combinations.
    if (c.style === 5) {
      need('url', 'BUTTON_COMPONENT_URL_REQUIRED', 'A url is required');
      forbid('custom_id');
    } else if (c.style === 6) {
      need('sku_id', 'BUTTON_COMPONENT_SKU_ID_REQUIRED', 'A sku id is required');
    } else {
      need('custom_id', 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id required');
      forbid('url');
    }
  });
  return issues;
};

/**
 * Without the IS_COMPONENTS_V2 flag a message holds at most 5 action rows and nothing else at the top level, and a
 * select fills its row; with it, `content` and `embeds` are refused. An edit keeps the flags of its message.
 */
const componentLayout: Rule = (body, ctx) => {
  if (!isObject(body)) return [];
  const flags = typeof body.flags === 'number' ? body.flags : (ctx.messageFlags ?? 0);
  const issues: BodyIssue[] = [];
  const components = list(body.components);
  if ((flags & COMPONENTS_V2) !== 0) {
    for (const field of ['content', 'embeds'] as const) {
      const value = body[field];
      if ((typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0)) {
        issues.push({
          path: [field],
          code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
          message: `The '${field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2`,
        });
      }
    }
    return issues;
  }
  if (components.length > 5) {
    issues.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
  }
  components.forEach((row, index) => {
    if (!isObject(row)) return;
    if (row.type !== 1) {
      issues.push({ path: ['components', index, 'type'], code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of (1,).' });
      return;
    }
    const children = list(row.components).filter(isObject);
    if (children.some((c) => c.type !== 2) && children.length > 1) {
      issues.push({
        path: ['components', index, 'components'],
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'The specified component exceeds the maximum width',
      });
    }
  });
  return issues;
};

export function messageRules(kind: 'callback' | 'webhook-create' | 'webhook-edit' | 'message-create' | 'message-edit'): Rule[] {
  const rules = [embedTotal, uniqueCustomIds, buttonFields, componentLayout];
  return kind === 'message-create' || kind === 'message-edit' ? [...rules, botContent] : rules;
}

/** The docs say 1–5 top-level components in a modal (the spec says 40); ids unique within the modal. */
const modalSize: Rule = (body) => {
  if (!isObject(body)) return [];
  const count = list(body.components).length;
  if (count >= 1 && count <= 5) return [];
  return [{ path: ['components'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' }];
};

export const modalRules: Rule[] = [modalSize, uniqueCustomIds];

/** Chat-input command and option names: lowercase where the letter has a lowercase form ([AC] "Naming"). */
const CHAT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMAND_CHARS = 8000;

function nameIssue(name: unknown, at: Path): BodyIssue[] {
  const value = text(name);
  if (CHAT_NAME.test(value) && value === value.toLowerCase()) return [];
  return [{ path: [...at, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }];
}

/** Characters counted towards a command's 8000: names, descriptions and choice names and values, all levels. */
function commandChars(node: Json): number {
  const own = text(node.name).length + text(node.description).length;
  const choices = list(node.choices).reduce<number>(
    (sum, c) => sum + (isObject(c) ? text(c.name).length + String(c.value ?? '').length : 0),
    0,
  );
  return own + choices + list(node.options).filter(isObject).reduce<number>((sum, o) => sum + commandChars(o), 0);
}

function optionIssues(options: unknown, at: Path): BodyIssue[] {
  const issues: BodyIssue[] = [];
  const items = list(options).filter(isObject);
  const names = new Set<string>();
  let optionalSeen = false;
  const nesting = items.filter((o) => o.type === 1 || o.type === 2).length;
  if (nesting > 0 && nesting < items.length) {
    issues.push({
      path: [...at, 'options'],
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
    });
  }
  items.forEach((option, index) => {
    const here = [...at, 'options', index];
    issues.push(...nameIssue(option.name, here));
    if (names.has(text(option.name))) {
      issues.push({ path: [...here, 'name'], code: 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', message: 'Option names must be unique' });
    }
    names.add(text(option.name));
    if (option.type !== 1 && option.type !== 2) {
      if (option.required === true && optionalSeen) {
        issues.push({
          path: [...here, 'required'],
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
      }
      if (option.required !== true) optionalSeen = true;
      if (option.autocomplete === true && list(option.choices).length > 0) {
        issues.push({ path: [...here, 'autocomplete'], code: 'BASE_TYPE_BAD', message: 'Autocomplete cannot be set with choices' });
      }
    }
    issues.push(...optionIssues(option.options, here));
  });
  return issues;
}

const commandShape: Rule = (body) => {
  const issues: BodyIssue[] = [];
  const seen = new Set<string>();
  list(body).forEach((item, index) => {
    if (!isObject(item)) return;
    const type = typeof item.type === 'number' ? item.type : 1;
    const key = `${type}:${text(item.name)}`;
    if (seen.has(key)) {
      issues.push({ path: [index, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' });
    }
    seen.add(key);
    if (type === 1) {
      issues.push(...nameIssue(item.name, [index]));
      if (text(item.description).length === 0) {
        issues.push({ path: [index, 'description'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
      }
      issues.push(...optionIssues(item.options, [index]));
    } else {
      // User and message commands take no description (Discord stores "") and no options (exact code unverified).
      if (text(item.description) !== '') {
        issues.push({ path: [index, 'description'], code: 'BASE_TYPE_BAD', message: 'Context menu commands cannot have a description' });
      }
      if (list(item.options).length > 0) {
        issues.push({ path: [index, 'options'], code: 'BASE_TYPE_BAD', message: 'Context menu commands cannot have options' });
      }
    }
    if (commandChars(item) > MAX_COMMAND_CHARS) {
      issues.push({ path: [index], code: 'APPLICATION_COMMAND_TOO_LARGE', message: `Command exceeds maximum size (${MAX_COMMAND_CHARS})` });
    }
  });
  return issues;
};

export const commandRules: Rule[] = [commandShape];
