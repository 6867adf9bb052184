import {
  ChannelType,
  GuildMember,
  PermissionFlagsBits,
  Role,
  Routes,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { nextInteraction, useSessions, type FakeSession } from './discord-test-kit.js';

const start = useSessions();

/** What `default_member_permissions` asks of /video-admin here. */
const manageServer = PermissionFlagsBits.ManageGuild;

const isCommand = (i: Interaction): i is ChatInputCommandInteraction => i.isChatInputCommand();

const admin = new SlashCommandBuilder()
  .setName('video-admin')
  .setDescription('Moderate video generation')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('settings').setDescription('What is in force'))
  .addSubcommandGroup((g) =>
    g
      .setName('quota')
      .setDescription('Allowances')
      .addSubcommand((s) =>
        s
          .setName('role')
          .setDescription('Per-role allowance')
          .addRoleOption((o) => o.setName('role').setDescription('Role').setRequired(true))
          .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds')),
      )
      .addSubcommand((s) =>
        s
          .setName('member')
          .setDescription('Per-member override')
          .addUserOption((o) => o.setName('member').setDescription('Member').setRequired(true))
          .addNumberOption((o) => o.setName('seconds').setDescription('Seconds')),
      )
      .addSubcommand((s) =>
        s
          .setName('clear')
          .setDescription('Remove an override')
          .addMentionableOption((o) => o.setName('target').setDescription('Role or member').setRequired(true)),
      ),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('access')
      .setDescription('Who and where')
      .addSubcommand((s) =>
        s
          .setName('channel')
          .setDescription('Allow a channel')
          .addChannelOption((o) => o.setName('channel').setDescription('Channel').setRequired(true))
          .addBooleanOption((o) => o.setName('allowed').setDescription('Allowed').setRequired(true)),
      ),
  );

async function registered(): Promise<FakeSession> {
  const s = await start();
  await s.client.rest.put(Routes.applicationGuildCommands(s.fake.applicationId, s.fake.defaultGuildId), {
    body: [admin.toJSON()],
  });
  return s;
}

async function invoke(s: FakeSession, input: Parameters<FakeSession['fake']['sendSlashCommand']>[0]) {
  const arrived = nextInteraction(s.client, isCommand);
  s.fake.sendSlashCommand(input);
  return arrived;
}

describe('fake discord guild state: roles, members, channels and resolved options', () => {
  it('a subcommand of a group arrives nested and typed, with its role resolved and the moderator’s role perms', async () => {
    const s = await registered();
    const mods = s.fake.addRole({ name: 'Moderators', permissions: PermissionFlagsBits.ManageGuild });
    const creators = s.fake.addRole({ name: 'Creators' });
    const mod = s.fake.addMember({ user: { username: 'mod' }, roles: [mods] });
    await s.fake.waitFor(() => s.client.guilds.cache.get(s.fake.defaultGuildId)?.roles.cache.has(creators.id));

    const i = await invoke(s, { name: 'video-admin', subcommand: 'quota role', options: { role: creators, seconds: 10 }, user: mod.user });
    expect(i.options.getSubcommandGroup()).toBe('quota');
    expect(i.options.getSubcommand()).toBe('role');
    expect(i.options.getInteger('seconds')).toBe(10);
    const role = i.options.getRole('role', true);
    expect(role).toBeInstanceOf(Role);
    expect(role.name).toBe('Creators');
    expect(i.user.username).toBe('mod');
    expect(i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(i.member).toBeInstanceOf(GuildMember);
    expect((i.member as GuildMember).roles.cache.map((r) => r.name)).toContain('Moderators');
  });

  it('user and mentionable options resolve to members with their roles, or to roles', async () => {
    const s = await registered();
    const creators = s.fake.addRole({ name: 'Creators' });
    const alice = s.fake.addMember({ user: { username: 'alice' }, roles: [creators.id], nick: 'Al' });
    const byMember = await invoke(s, { name: 'video-admin', permissions: manageServer, subcommand: 'quota member', options: { member: alice, seconds: 2.5 } });
    const member = byMember.options.getMember('member');
    expect(member).toBeInstanceOf(GuildMember);
    expect((member as GuildMember).nickname).toBe('Al');
    expect((member as GuildMember).roles.cache.has(creators.id)).toBe(true);
    expect(byMember.options.getUser('member', true).username).toBe('alice');
    expect(byMember.options.getNumber('seconds')).toBe(2.5);

    const byRole = await invoke(s, { name: 'video-admin', permissions: manageServer, subcommand: 'quota clear', options: { target: creators.id } });
    expect(byRole.options.getMentionable('target')).toBeInstanceOf(Role);
    const byUser = await invoke(s, { name: 'video-admin', permissions: manageServer, subcommand: 'quota clear', options: { target: alice.user.id } });
    expect(byUser.options.getMentionable('target')).toBeInstanceOf(GuildMember);
  });

  it('a channel option resolves to a channel added after login, which arrived by CHANNEL_CREATE', async () => {
    const s = await registered();
    const videos = s.fake.addChannel({ name: 'videos' });
    await s.fake.waitFor(() => s.client.channels.cache.get(videos.id));
    const i = await invoke(s, { name: 'video-admin', permissions: manageServer, subcommand: 'access channel', options: { channel: videos, allowed: true } });
    const channel = i.options.getChannel('channel', true);
    expect(channel.name).toBe('videos');
    expect(channel.type).toBe(ChannelType.GuildText);
    expect(i.options.getBoolean('allowed')).toBe(true);
  });

  it('a bare subcommand has no group, and a wrong subcommand is the test’s mistake', async () => {
    const s = await registered();
    const i = await invoke(s, { name: 'video-admin', permissions: manageServer, subcommand: 'settings' });
    expect(i.options.getSubcommandGroup(false)).toBeNull();
    expect(i.options.getSubcommand()).toBe('settings');
    expect(() => s.fake.sendSlashCommand({ name: 'video-admin', permissions: manageServer, subcommand: 'quota nope' })).toThrow(/no subcommand/);
    expect(() => s.fake.sendSlashCommand({ name: 'video-admin', permissions: manageServer, subcommand: 'quota' })).toThrow(/is a group/);
    expect(() => s.fake.sendSlashCommand({ name: 'video-admin', permissions: manageServer })).toThrow(/has subcommands/);
  });

  it("a command is sent only to members Discord shows it to: its default permissions, or the server's Integrations entries", async () => {
    const s = await registered();
    const helpers = s.fake.addRole({ name: 'Helpers' });
    const helper = s.fake.addMember({ user: { username: 'helper' }, roles: [helpers.id] });
    const muted = s.fake.addMember({ user: { username: 'muted' }, roles: [helpers.id], permissions: manageServer });
    expect(() => s.fake.sendSlashCommand({ name: 'video-admin', subcommand: 'settings', user: helper.user })).toThrow(
      /does not show "video-admin" to helper/,
    );

    s.fake.setCommandPermissions({
      name: 'video-admin',
      permissions: [
        { id: helpers.id, type: 1, permission: true },
        { id: muted.user.id, type: 2, permission: false },
      ],
    });
    const i = await invoke(s, { name: 'video-admin', subcommand: 'settings', user: helper.user });
    expect(i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
    expect(() => s.fake.sendSlashCommand({ name: 'video-admin', subcommand: 'settings', user: muted.user })).toThrow(/does not show/);
    const asAdmin = await invoke(s, { name: 'video-admin', subcommand: 'settings', user: muted.user, permissions: PermissionFlagsBits.Administrator });
    expect(asAdmin.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(true);
    expect(() => s.fake.setCommandPermissions({ name: 'nope', permissions: [] })).toThrow(/no command "nope"/);
  });

  it('given roles and permissions are sent as they are, and GUILD_CREATE carries the configured roles', async () => {
    const guildId = '111111111111111111';
    const s = await start({
      guilds: [
        {
          id: guildId,
          name: 'Configured',
          channels: [{ id: '222222222222222222', name: 'general' }],
          roles: [{ id: '333333333333333333', name: 'Admins', permissions: PermissionFlagsBits.Administrator }],
          members: [{ user: { id: '444444444444444444', username: 'owner' }, roles: ['333333333333333333'] }],
        },
      ],
    });
    expect(s.client.guilds.cache.get(guildId)?.roles.cache.map((r) => r.name).sort()).toEqual(['@everyone', 'Admins']);
    const asAdmin = await invoke(s, { name: 'video', user: { id: '444444444444444444' } });
    expect(asAdmin.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(asAdmin.user.username).toBe('owner');
    const stated = await invoke(s, { name: 'video', user: { id: '444444444444444444' }, permissions: 0n, roles: [] });
    expect(stated.memberPermissions?.bitfield).toBe(0n);
    expect((stated.member as GuildMember).roles.cache.size).toBe(1);
  });
});
