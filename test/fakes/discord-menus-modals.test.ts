import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { expectDiscordError, nextInteraction, useSessions, type FakeSession } from './discord-test-kit.js';

const start = useSessions();

/** A PNG's first 33 bytes (signature + IHDR) for a 64×48 image: enough for its size to be read. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 6, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

async function withAnimateCommand(): Promise<FakeSession> {
  const session = await start();
  const animate = new ContextMenuCommandBuilder().setName('Animate image').setType(ApplicationCommandType.Message);
  await session.client.rest.put(Routes.applicationGuildCommands(session.fake.applicationId, session.fake.defaultGuildId), {
    body: [animate.toJSON()],
  });
  return session;
}

const isMessageCommand = (i: Interaction): i is MessageContextMenuCommandInteraction => i.isMessageContextMenuCommand();
const isModalSubmit = (i: Interaction): i is ModalSubmitInteraction => i.isModalSubmit();

function animateModal(customId: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle('Animate image')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('Prompt')
        .setTextInputComponent(new TextInputBuilder().setCustomId('prompt').setStyle(TextInputStyle.Paragraph)),
      new LabelBuilder()
        .setLabel('Negative prompt')
        .setDescription('What to avoid')
        .setTextInputComponent(
          new TextInputBuilder().setCustomId('negative_prompt').setStyle(TextInputStyle.Paragraph).setRequired(false).setValue('blurry'),
        ),
    );
}

describe('fake discord message context menus and modals', () => {
  it('a message command on a member’s message delivers it whole: its image attachment, size, bytes and embeds', async () => {
    const s = await withAnimateCommand();
    const png = pngHeader(64, 48);
    const image = s.fake.addAttachment({ bytes: png, filename: 'cat.png' });
    const alice = s.fake.addMember({ user: { username: 'alice' } });
    const preview = { type: 'image', url: 'https://example.com/a.png', thumbnail: { url: 'https://example.com/a.png', width: 8, height: 8 } };
    const posted = s.fake.postMessage({ user: alice.user, content: 'look', attachments: [image], embeds: [preview] });
    expect(s.fake.channelMessages(s.fake.defaultChannelId).map((m) => [m.content, m.author?.username])).toEqual([['look', 'alice']]);

    const arrived = nextInteraction(s.client, isMessageCommand);
    const handle = s.fake.sendMessageCommand({ name: 'Animate image', message: posted, user: { username: 'bob' } });
    const i = await arrived;
    expect(i.commandName).toBe('Animate image');
    expect(i.targetId).toBe(posted.id);
    expect(i.targetMessage.author.username).toBe('alice');
    expect(i.targetMessage.content).toBe('look');
    const attachment = i.targetMessage.attachments.first();
    expect([attachment?.contentType, attachment?.width, attachment?.height]).toEqual(['image/png', 64, 48]);
    expect(Buffer.from(await (await fetch(attachment?.url ?? '')).arrayBuffer()).equals(png)).toBe(true);
    expect(i.targetMessage.embeds[0]?.thumbnail?.url).toBe('https://example.com/a.png');
    expect(s.fake.interaction(handle.id)).toMatchObject({ kind: 'command', commandType: 3, targetId: posted.id });
    await i.reply({ content: 'That message has no image.', flags: MessageFlags.Ephemeral });
  });

  it('a modal shown for a message command is recorded, read back, and submitted in the Label shape', async () => {
    const s = await withAnimateCommand();
    const posted = s.fake.postMessage({ content: 'x', attachments: [s.fake.addAttachment({ bytes: pngHeader(2, 2), filename: 'a.png' })] });
    const arrived = nextInteraction(s.client, isMessageCommand);
    const handle = s.fake.sendMessageCommand({ name: 'Animate image', message: posted });
    const i = await arrived;
    await i.showModal(animateModal(`animate:${posted.id}`));
    expect(s.fake.interaction(handle.id)).toMatchObject({ ackType: 9, modal: { custom_id: `animate:${posted.id}`, title: 'Animate image' } });
    expect(s.fake.modalInputs(handle.id)).toEqual([
      expect.objectContaining({ customId: 'prompt', label: 'Prompt', style: 2, required: true, value: undefined }),
      expect.objectContaining({ customId: 'negative_prompt', description: 'What to avoid', required: false, value: 'blurry' }),
    ]);

    expect(() => s.fake.submitModal({ from: handle, fields: { prompt: 'a', seconds: '5' } })).toThrow(/no input seconds/);
    expect(() => s.fake.submitModal({ from: handle, fields: { negative_prompt: 'x' } })).toThrow(/prompt .*is required/);
    const submitted = nextInteraction(s.client, isModalSubmit);
    const submit = s.fake.submitModal({ from: handle, fields: { prompt: '  a cat  ' } });
    const modal = await submitted;
    expect(modal.customId).toBe(`animate:${posted.id}`);
    expect(modal.fields.getTextInputValue('prompt')).toBe('  a cat  ');
    expect(modal.fields.getTextInputValue('negative_prompt')).toBe('');
    expect(modal.isFromMessage()).toBe(false);
    await expectDiscordError(
      s.client.rest.post(Routes.interactionCallback(submit.id, submit.token), { body: { type: 6 }, auth: false }),
      50035,
      400,
    );
    expect(s.fake.expectInvalidBodies().map((r) => r.invalidBody)).toEqual([
      'callback type 6 is not allowed for this modal interaction (4, 5)',
    ]);
    await modal.deferReply({ flags: MessageFlags.Ephemeral });
    await modal.editReply('queued');
    expect(s.fake.interaction(submit.id)).toMatchObject({ kind: 'modal', ackType: 5, original: { content: 'queued', flags: 64 } });
  });

  it('a modal after a deferral is refused with 40060; six components or a long title are refused with 50035', async () => {
    const s = await withAnimateCommand();
    const posted = s.fake.postMessage({ content: 'x' });
    for (const problem of ['after-defer', 'six', 'title'] as const) {
      const arrived = nextInteraction(s.client, isMessageCommand);
      const handle = s.fake.sendMessageCommand({ name: 'Animate image', message: posted });
      const i = await arrived;
      const modal = animateModal('m').toJSON();
      if (problem === 'after-defer') {
        await i.deferReply();
        const body = { type: 9, data: modal };
        await expectDiscordError(s.client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body, auth: false }), 40060, 400);
        expect(s.fake.interaction(handle.id).modal).toBeUndefined();
      } else if (problem === 'six') {
        const six = animateModal('m');
        for (let n = 0; n < 4; n++) {
          six.addLabelComponents(
            new LabelBuilder().setLabel(`Extra ${n}`).setTextInputComponent(new TextInputBuilder().setCustomId(`e${n}`).setStyle(TextInputStyle.Short)),
          );
        }
        await expectDiscordError(i.showModal(six), 50035, 400);
      } else {
        const body = { type: 9, data: { ...modal, title: 't'.repeat(46) } };
        await expectDiscordError(s.client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body, auth: false }), 50035, 400);
      }
    }
    expect(s.fake.expectInvalidBodies().map((r) => r.invalidBody)).toEqual([
      expect.stringMatching(/^callback type 9 body refused: data\.components: BASE_TYPE_BAD_LENGTH Must be between 1 and 5/),
      expect.stringMatching(/^callback type 9 body refused: data\.title: BASE_TYPE_MAX_LENGTH Must be 45 or fewer/),
    ]);
  });
});
