import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { startFakeDiscord } from './discord/fake-discord.js';
import { expectDiscordError, nextInteraction, useSessions, type FakeSession } from './discord-test-kit.js';

const start = useSessions();

const isCommand = (i: Interaction): i is ChatInputCommandInteraction => i.isChatInputCommand();
const isButton = (i: Interaction): i is ButtonInteraction => i.isButton();
const isModalSubmit = (i: Interaction): i is ModalSubmitInteraction => i.isModalSubmit();
const isAutocomplete = (i: Interaction): i is AutocompleteInteraction => i.isAutocomplete();

const buttons = (...ids: string[]) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Secondary)),
  );

async function command(s: FakeSession): Promise<{ i: ChatInputCommandInteraction; id: string }> {
  const arrived = nextInteraction(s.client, isCommand);
  const handle = s.fake.sendSlashCommand({ name: 'video', options: { prompt: 'p' } });
  return { i: await arrived, id: handle.id };
}

async function press(s: FakeSession, message: { id: string }, customId: string) {
  const arrived = nextInteraction(s.client, isButton);
  const handle = s.fake.pressButton({ message, customId });
  return { button: await arrived, handle };
}

describe('fake discord buttons on any message, modals from buttons, autocomplete', () => {
  it('a button on a follow-up: deferUpdate then editReply edits that follow-up, not the original', async () => {
    const s = await start();
    const { i, id } = await command(s);
    await i.reply('queued');
    const sent = await i.followUp({ content: 'your video', components: [buttons('regenerate')] });
    const followUp = s.fake.interaction(id).followUps[0];
    if (!followUp) throw new Error('no follow-up');
    const { button } = await press(s, followUp, 'regenerate');
    expect(button.message.id).toBe(sent.id);
    expect(button.message.webhookId).toBe(s.fake.applicationId);
    expect(button.message.interactionMetadata?.id).toBe(id);
    await button.deferUpdate();
    await button.editReply({ content: 'regenerating', components: [] });
    const record = s.fake.interaction(id);
    expect(record.followUps[0]?.history.map((m) => m.content)).toEqual(['your video', 'regenerating']);
    expect(record.original?.content).toBe('queued');
  });

  it('a button on a channel message: update() edits the channel message in one step', async () => {
    const s = await start();
    const channel = await s.client.channels.fetch(s.fake.defaultChannelId);
    if (!channel?.isSendable()) throw new Error('not sendable');
    const posted = await channel.send({ content: 'mod-log entry', components: [buttons('details')] });
    const [recorded] = s.fake.channelMessages(s.fake.defaultChannelId);
    if (!recorded) throw new Error('no channel message');
    const { button, handle } = await press(s, recorded, 'details');
    expect(button.message.id).toBe(posted.id);
    await button.update({ content: 'mod-log entry (seen)', components: [] });
    expect(s.fake.interaction(handle.id).ackType).toBe(7);
    expect(s.fake.channelMessages(s.fake.defaultChannelId)[0]?.history.map((m) => m.content)).toEqual([
      'mod-log entry',
      'mod-log entry (seen)',
    ]);
  });

  it('an ephemeral reply to a press is a new message on the press and leaves the button’s message alone', async () => {
    const s = await start();
    const { i, id } = await command(s);
    await i.reply({ content: 'video', components: [buttons('cancel')] });
    const original = s.fake.interaction(id).original;
    if (!original) throw new Error('no original');
    const { button, handle } = await press(s, original, 'cancel');
    await button.reply({ content: 'This is not your job.', flags: MessageFlags.Ephemeral });
    const pressed = s.fake.interaction(handle.id);
    expect(pressed).toMatchObject({ ackType: 4, ephemeral: true, message: { id: original.id } });
    expect(pressed.original?.content).toBe('This is not your job.');
    expect(pressed.original?.id).not.toBe(original.id);
    expect(pressed.originalHistory).toHaveLength(1);
    expect(s.fake.interaction(id).originalHistory.map((m) => m.content)).toEqual(['video']);
  });

  it('a modal opened from a button submits with its message, and the submit’s update() edits that message', async () => {
    const s = await start();
    const { i, id } = await command(s);
    await i.reply({ content: 'delivered', components: [buttons('remix')] });
    const { button, handle } = await press(s, { id: s.fake.interaction(id).original?.id ?? '' }, 'remix');
    const prompt = new TextInputBuilder().setCustomId('prompt').setStyle(TextInputStyle.Paragraph).setValue('a cat');
    await button.showModal(
      new ModalBuilder().setCustomId('remix:1').setTitle('Remix').addLabelComponents(new LabelBuilder().setLabel('Prompt').setTextInputComponent(prompt)),
    );
    expect(s.fake.modalInputs(handle.id)).toMatchObject([{ customId: 'prompt', value: 'a cat' }]);
    const arrived = nextInteraction(s.client, isModalSubmit);
    s.fake.submitModal({ from: handle, fields: { prompt: 'a dog' } });
    const modal = await arrived;
    expect(modal.isFromMessage()).toBe(true);
    expect(modal.fields.getTextInputValue('prompt')).toBe('a dog');
    if (!modal.isFromMessage()) throw new Error('not from a message');
    await modal.update({ content: 'remixing', components: [] });
    expect(s.fake.interaction(id).original?.content).toBe('remixing');
  });

  it('autocomplete arrives focused inside its subcommand, and more than 25 choices are refused', async () => {
    const s = await start();
    const usage = new SlashCommandBuilder()
      .setName('video-admin')
      .setDescription('d')
      .addSubcommand((sub) =>
        sub
          .setName('usage')
          .setDescription('d')
          .addStringOption((o) => o.setName('period').setDescription('d').setAutocomplete(true)),
      );
    await s.client.rest.put(Routes.applicationCommands(s.fake.applicationId), { body: [usage.toJSON()] });
    for (const count of [3, 26]) {
      const arrived = nextInteraction(s.client, isAutocomplete);
      const handle = s.fake.sendAutocomplete({ name: 'video-admin', subcommand: 'usage', options: { period: 'we' }, focused: 'period' });
      const typing = await arrived;
      expect(typing.options.getFocused(true)).toMatchObject({ name: 'period', value: 'we' });
      const choices = Array.from({ length: count }, (_, n) => ({ name: `week ${n}`, value: `week${n}` }));
      if (count <= 25) {
        await typing.respond(choices);
        expect(s.fake.interaction(handle.id).choices).toHaveLength(3);
      } else {
        await expectDiscordError(typing.respond(choices), 50035, 400);
        expect(s.fake.expectInvalidBodies()[0]?.invalidBody).toMatch(/data\.choices: BASE_TYPE_MAX_LENGTH Must be 25/);
      }
    }
  });

  it('a member’s message reaches a client with the Guild Messages intent, without content unless it asked for it', async () => {
    const fake = await startFakeDiscord();
    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: fake.apiUrl } });
    try {
      const ready = once(client, Events.ClientReady);
      await client.login(fake.botToken);
      await ready;
      const created = once(client, Events.MessageCreate) as Promise<[Message]>;
      const posted = fake.postMessage({ content: 'secret words', user: { username: 'alice' } });
      const [message] = await created;
      expect(message.id).toBe(posted.id);
      expect(message.author.username).toBe('alice');
      expect(message.content).toBe('');
      await expectDiscordError(message.edit('hijacked'), 50005, 403);
      fake.expectInvalidBodies();
    } finally {
      await client.destroy();
      await fake.close();
    }
    fake.assertNoUnexpectedRequests();
  });
});
