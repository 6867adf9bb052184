import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bot-process.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** Discord's names in the invite screen → discord.js flags. */
const flags: Record<string, keyof typeof PermissionFlagsBits> = {
  'View Channels': 'ViewChannel',
  'Send Messages': 'SendMessages',
  'Send Messages in Threads': 'SendMessagesInThreads',
  'Attach Files': 'AttachFiles',
  'Embed Links': 'EmbedLinks',
  'Read Message History': 'ReadMessageHistory',
};

describe("the README's invite", () => {
  it('asks for exactly the permissions it lists, bit by bit', () => {
    const section = readme.slice(readme.indexOf('Bot permissions'), readme.indexOf('Invite URL'));
    const listed = [...section.matchAll(/^\s+- \*([^*]+)\*:/gm)].map((m) => m[1]!);
    expect(listed).toEqual(['View Channels', 'Send Messages', 'Send Messages in Threads', 'Attach Files', 'Embed Links']);
    const expected = listed.reduce((bits, name) => bits | PermissionFlagsBits[flags[name]!], 0n);

    const inUrl = /permissions=(\d+)/.exec(readme)?.[1];
    const inText = /The permission integer is `(\d+)`/.exec(readme)?.[1];
    expect(BigInt(inUrl!)).toBe(expected);
    expect(BigInt(inText!)).toBe(expected);
    const bits = [...expected.toString(2)].reverse().flatMap((bit, i) => (bit === '1' ? [i] : []));
    expect(readme).toContain(`(bits ${bits.slice(0, -1).join(', ')} and ${bits.at(-1)})`);
  });
});
