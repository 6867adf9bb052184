import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { refusalText, type RefusalCode } from '../../src/refusals.js';
import { useWorld } from '../harness/use-world.js';
import { replyShowing, requestVideo } from '../harness/video-steps.js';

const world = useWorld();
const ada = { id: '1500000000000000001', username: 'ada' };
const all =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands;

const cases: [string, bigint, RefusalCode][] = [
  ['View Channel', PermissionFlagsBits.ViewChannel, 'bot-cannot-view-channel'],
  ['Send Messages', PermissionFlagsBits.SendMessages, 'bot-cannot-send-messages'],
  ['Attach Files', PermissionFlagsBits.AttachFiles, 'bot-cannot-attach-files'],
  ['Embed Links', PermissionFlagsBits.EmbedLinks, 'bot-cannot-embed-links'],
  // Without it a restart cannot see whether the video already went out, and could post it twice.
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory, 'bot-cannot-read-history'],
];

describe('/video in a channel where the bot lacks a permission it needs', () => {
  it.each(cases)('is refused at once, ephemerally, naming %s', async (name, missing, code) => {
    const w = world();
    w.discord.setBotPermissions(w.discord.defaultChannelId, all & ~missing);
    const sent = requestVideo(w, ada, 'a lighthouse in fog');
    const record = await w.discord.waitFor((d) => d.interaction(sent.id).ackType !== undefined && d.interaction(sent.id), {
      description: 'the refusal',
    });

    expect(record.ackType).toBe(4);
    expect(record.ephemeral).toBe(true);
    expect(record.original!.content).toBe(refusalText(code));
    expect(record.original!.content).toContain(name);
    expect(w.replicate.predictions).toEqual([]);
    expect(w.logs.find('request refused').map((e) => e.refusal)).toEqual([code]);
  });

  it('is accepted when the bot has every permission it needs', async () => {
    const w = world();
    w.discord.setBotPermissions(w.discord.defaultChannelId, all);
    const sent = requestVideo(w, ada, 'a lighthouse at dawn');
    await replyShowing(w, sent, /^✅/);
  });
});
