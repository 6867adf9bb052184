import {
  AttachmentBuilder,
  ContextMenuCommandBuilder,
  ApplicationCommandType,
  ApplicationIntegrationType,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { expectDiscordError, nextInteraction, useSessions, type FakeSession } from './discord-test-kit.js';

const start = useSessions();

const isCommand = (i: Interaction): i is ChatInputCommandInteraction => i.isChatInputCommand();

async function command(s: FakeSession, name = 'video'): Promise<{ i: ChatInputCommandInteraction; id: string }> {
  const arrived = nextInteraction(s.client, isCommand);
  const handle = s.fake.sendSlashCommand({ name, options: { prompt: 'x' } });
  return { i: await arrived, id: handle.id };
}

describe('the fake checks what the bot sends against Discord’s schema', () => {
  it('an embed title over 256 characters is refused with 50035 naming the field, and fails the teardown check', async () => {
    const s = await start();
    const { i, id } = await command(s);
    const error = await expectDiscordError(i.reply({ embeds: [{ title: 'x'.repeat(257) }] }), 50035, 400);
    expect(error.rawError).toMatchObject({
      message: 'Invalid Form Body',
      errors: { data: { embeds: { 0: { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } },
    });
    expect(s.fake.interaction(id).ackType).toBeUndefined();
    expect(() => s.fake.assertNoUnexpectedRequests()).toThrow(/data\.embeds\[0\]\.title: BASE_TYPE_MAX_LENGTH/);
    expect(s.fake.expectInvalidBodies().map((r) => r.route)).toEqual(['POST /interactions/:id/:token/callback']);
    expect(() => s.fake.assertNoUnexpectedRequests()).not.toThrow();
  });

  it('embeds that pass 6000 characters together are refused although each is within its own limits', async () => {
    const s = await start();
    const { i, id } = await command(s);
    await i.deferReply();
    const long = { description: 'y'.repeat(3500) };
    await expectDiscordError(i.editReply({ embeds: [long, long] }), 50035, 400);
    const [refused] = s.fake.expectInvalidBodies();
    expect(refused?.invalidBody).toMatch(/embeds: MAX_EMBED_SIZE_EXCEEDED/);
    await i.editReply({ embeds: [long] });
    expect(s.fake.interaction(id).original?.embeds).toHaveLength(1);
  });

  it('a follow-up over 2000 characters and a channel message over 2000 are refused', async () => {
    const s = await start();
    const { i } = await command(s);
    await i.reply('ok');
    await expectDiscordError(i.followUp({ content: 'z'.repeat(2001) }), 50035, 400);
    const route = Routes.channelMessages(s.fake.defaultChannelId);
    await expectDiscordError(s.client.rest.post(route, { body: { content: 'z'.repeat(2001) } }), 50035, 400);
    expect(s.fake.expectInvalidBodies().map((r) => r.invalidBody)).toEqual([
      expect.stringMatching(/^webhook-create body refused: content: BASE_TYPE_MAX_LENGTH/),
      expect.stringMatching(/^message-create body refused: content: BASE_TYPE_MAX_LENGTH Must be 2000/),
    ]);
  });

  it('bad components are refused: a custom_id over 100, six rows, a duplicated id, a link button with a custom_id', async () => {
    const s = await start();
    const route = Routes.channelMessages(s.fake.defaultChannelId);
    const button = (customId: string) => ({ type: 2, style: 1, label: 'Go', custom_id: customId });
    const row = (...components: unknown[]) => ({ type: 1, components });
    const bodies = [
      { content: 'a', components: [row(button('x'.repeat(101)))] },
      { content: 'b', components: [1, 2, 3, 4, 5, 6].map((n) => row(button(`b${n}`))) },
      { content: 'c', components: [row(button('same'), button('same'))] },
      { content: 'd', components: [row({ type: 2, style: 5, label: 'Site', url: 'https://example.com', custom_id: 'l' })] },
      { content: 'e', components: [row({ type: 2, style: 1, label: 'No id' })] },
    ];
    for (const body of bodies) await expectDiscordError(s.client.rest.post(route, { body }), 50035, 400);
    expect(s.fake.expectInvalidBodies().map((r) => r.invalidBody?.replace(/^message-create body refused: /, ''))).toEqual([
      expect.stringMatching(/^components\[0\]\.components\[0\]\.custom_id: BASE_TYPE_MAX_LENGTH/),
      expect.stringMatching(/^components: BASE_TYPE_MAX_LENGTH Must be 5 or fewer/),
      expect.stringMatching(/^components\[0\]\.components\[1\]\.custom_id: COMPONENT_CUSTOM_ID_DUPLICATED/),
      expect.stringMatching(/^components\[0\]\.components\[0\]\.custom_id: BUTTON_COMPONENT_INVALID_FIELD/),
      expect.stringMatching(/^components\[0\]\.components\[0\]\.custom_id: BUTTON_COMPONENT_CUSTOM_ID_REQUIRED/),
    ]);
    expect(s.fake.channelMessages(s.fake.defaultChannelId)).toEqual([]);
  });

  it('an ephemeral reply with an attached chart, as discord.js sends it as multipart, passes and keeps its bytes', async () => {
    const s = await start();
    const { i, id } = await command(s);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9]);
    const csv = Buffer.from('job,seconds\r\n1,5\r\n');
    await i.reply({
      embeds: [new EmbedBuilder().setTitle('Usage').setImage('attachment://usage.png')],
      files: [new AttachmentBuilder(png, { name: 'usage.png' }), new AttachmentBuilder(csv, { name: 'usage.csv' })],
      flags: MessageFlags.Ephemeral,
    });
    const seen = s.fake.interaction(id);
    expect(seen).toMatchObject({ ackType: 4, ephemeral: true });
    expect(seen.original?.embeds).toEqual([{ title: 'Usage', image: { url: 'attachment://usage.png' } }]);
    expect(seen.original?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['usage.png', 'image/png'],
      ['usage.csv', 'application/octet-stream'],
    ]);
    expect(seen.original?.attachments[0]?.bytes.equals(png)).toBe(true);
    expect(seen.original?.attachments[1]?.bytes.toString()).toBe(csv.toString());
    const shown = await i.fetchReply();
    expect(shown.embeds[0]?.image?.url).toBe(seen.original?.attachments[0]?.url);
  });

  it('an upload placeholder id may be the number 0, as in Discord’s own example', async () => {
    const s = await start();
    const route = Routes.channelMessages(s.fake.defaultChannelId);
    const files = [{ name: 'a.png', data: Buffer.from([1, 2, 3]) }];
    await s.client.rest.post(route, { body: { content: 'log', attachments: [{ id: 0, filename: 'start.png' }] }, files });
    expect(s.fake.channelMessages(s.fake.defaultChannelId)[0]?.attachments.map((a) => a.filename)).toEqual(['start.png']);
  });

  it('commands made by the builders pass, and are stored with default_member_permissions as a string', async () => {
    const s = await start();
    const admin = new SlashCommandBuilder()
      .setName('video-admin')
      .setDescription('Moderate video generation')
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
      .setContexts(InteractionContextType.Guild)
      .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
      .addSubcommand((sub) => sub.setName('settings').setDescription('What is in force'))
      .addSubcommandGroup((group) =>
        group
          .setName('quota')
          .setDescription('Allowances')
          .addSubcommand((sub) =>
            sub
              .setName('role')
              .setDescription('Per-role allowance')
              .addRoleOption((o) => o.setName('role').setDescription('Role').setRequired(true))
              .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds').setMinValue(0)),
          ),
      );
    const animate = new ContextMenuCommandBuilder().setName('Animate image').setType(ApplicationCommandType.Message);
    const video = new SlashCommandBuilder().setName('video').setDescription('Make a video');
    await s.client.rest.put(Routes.applicationGuildCommands(s.fake.applicationId, s.fake.defaultGuildId), {
      body: [admin.toJSON(), animate.toJSON(), video.toJSON()],
    });
    const stored = s.fake.commands(s.fake.defaultGuildId);
    expect(stored.map((c) => [c.name, c.type, c.default_member_permissions, c.description])).toEqual([
      ['video-admin', 1, '32', 'Moderate video generation'],
      ['Animate image', 3, null, ''],
      ['video', 1, null, 'Make a video'],
    ]);
    expect(stored[0]).toMatchObject({ contexts: [0], integration_types: [0] });
  });

  it('a command with an uppercase name, or a required option after an optional one, is refused', async () => {
    const s = await start();
    const route = Routes.applicationCommands(s.fake.applicationId);
    const option = (name: string, required: boolean) => ({ type: 3, name, description: 'd', required });
    const bodies = [
      [{ name: 'Video', description: 'd' }],
      [{ name: 'video', description: 'd', options: [option('a', false), option('b', true)] }],
      [{ name: 'video' }],
    ];
    for (const body of bodies) await expectDiscordError(s.client.rest.put(route, { body }), 50035, 400);
    expect(s.fake.expectInvalidBodies().map((r) => r.invalidBody?.replace(/^commands body refused: /, ''))).toEqual([
      expect.stringMatching(/^\[0\]\.name: APPLICATION_COMMAND_INVALID_NAME/),
      expect.stringMatching(/^\[0\]\.options\[1\]\.required: APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID/),
      expect.stringMatching(/^\[0\]\.description: BASE_TYPE_REQUIRED/),
    ]);
    expect(s.fake.commands()).toEqual([]);
  });
});
