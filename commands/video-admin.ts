import {
  ApplicationIntegrationType,
  AttachmentBuilder,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type SlashCommandStringOption,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Allowance } from '../src/quota/allowance.js';
import type { AdminChange } from '../src/settings/admin-changes.js';
import type { CommandContext } from './types.js';

/**
 * /video-admin: the moderators' command. Registered for Manage Server and guild-only. Discord uses that only to choose
 * whom to show it to (a server's Integrations settings can show it to anyone), so the router checks Manage Server
 * again before any subcommand runs (src/discord/member-permissions.ts). Names and options are a public interface:
 * server owners document them for their moderators.
 */
const channelTypes = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.GuildVoice,
] as const;

const modelOption = (o: SlashCommandStringOption) =>
  o.setName('model').setDescription('The model (owner/name)').setRequired(true).setAutocomplete(true).setMaxLength(100);

export const data = new SlashCommandBuilder()
  .setName('video-admin')
  .setDescription('Moderators: allowances, limits, access and usage of /video in this server')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((c) => c.setName('settings').setDescription('Everything in force, and any problem the bot knows of'))
  .addSubcommandGroup((g) =>
    g
      .setName('quota')
      .setDescription('Allowances in seconds of video per period')
      .addSubcommand((c) =>
        c
          .setName('default')
          .setDescription('The allowance of every member without a role or member allowance')
          .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds of video per period (0 = may not generate)').setMinValue(0))
          .addBooleanOption((o) => o.setName('unlimited').setDescription('No limit (instead of seconds)'))
          .addStringOption((o) =>
            o.setName('period').setDescription('Reset every day or every week (00:00 UTC, weeks from Monday)').addChoices(
              { name: 'day', value: 'day' },
              { name: 'week', value: 'week' },
            ),
          ),
      )
      .addSubcommand((c) =>
        c
          .setName('role')
          .setDescription("A role's allowance (a member gets the highest of the default and their roles')")
          .addRoleOption((o) => o.setName('role').setDescription('The role').setRequired(true))
          .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds of video per period').setMinValue(0))
          .addBooleanOption((o) => o.setName('unlimited').setDescription('No limit (instead of seconds)')),
      )
      .addSubcommand((c) =>
        c
          .setName('member')
          .setDescription("One member's allowance: replaces the default and their roles', even when lower")
          .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
          .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds of video per period').setMinValue(0))
          .addBooleanOption((o) => o.setName('unlimited').setDescription('No limit (instead of seconds)')),
      )
      .addSubcommand((c) =>
        c
          .setName('clear')
          .setDescription("Removes a role's or a member's own allowance")
          .addMentionableOption((o) => o.setName('target').setDescription('A role or a member').setRequired(true)),
      )
      .addSubcommand((c) =>
        c
          .setName('grant')
          .setDescription('Extra seconds for a member, this period only')
          .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
          .addIntegerOption((o) => o.setName('seconds').setDescription('Extra seconds').setRequired(true).setMinValue(1).setMaxValue(100_000)),
      )
      .addSubcommand((c) =>
        c
          .setName('reset')
          .setDescription("Clears a member's usage this period (grants stay)")
          .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true)),
      )
      .addSubcommand((c) =>
        c
          .setName('budget')
          .setDescription('Seconds per period for the whole server (0 = no budget)')
          .addIntegerOption((o) => o.setName('seconds').setDescription('Seconds per period').setRequired(true).setMinValue(0)),
      ),
  )
  .addSubcommand((c) =>
    c
      .setName('limits')
      .setDescription("Lower the operator's limits for this server")
      .addIntegerOption((o) => o.setName('concurrency').setDescription('Videos made at once').setMinValue(1))
      .addIntegerOption((o) => o.setName('queue').setDescription('Requests waiting at most').setMinValue(1))
      .addIntegerOption((o) => o.setName('pending').setDescription("One member's videos waiting or being made at once").setMinValue(1))
      .addIntegerOption((o) => o.setName('cooldown').setDescription("Seconds between a member's requests").setMinValue(0).setMaxValue(86_400))
      .addBooleanOption((o) => o.setName('allow_10s').setDescription('Allow 10-second videos')),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('access')
      .setDescription('Who may make videos, and where')
      .addSubcommand((c) =>
        c
          .setName('channel')
          .setDescription('Allow a channel (none listed = every channel; once any is, only those)')
          .addChannelOption((o) => o.setName('channel').setDescription('The channel').setRequired(true).addChannelTypes(...channelTypes))
          .addBooleanOption((o) => o.setName('allowed').setDescription('Allowed?').setRequired(true)),
      )
      .addSubcommand((c) =>
        c
          .setName('role')
          .setDescription('Allow a role (none listed = everyone; once any is, only members with one)')
          .addRoleOption((o) => o.setName('role').setDescription('The role').setRequired(true))
          .addBooleanOption((o) => o.setName('allowed').setDescription('Allowed?').setRequired(true)),
      )
      .addSubcommand((c) =>
        c
          .setName('block')
          .setDescription('Stop a member from making videos (waiting ones are canceled, running ones finish)')
          .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
          .addStringOption((o) => o.setName('reason').setDescription('Shown to them').setMaxLength(200)),
      )
      .addSubcommand((c) =>
        c
          .setName('unblock')
          .setDescription('Let a blocked member make videos again')
          .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true)),
      ),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('words')
      .setDescription('Words not allowed in prompts (whole words, any case)')
      .addSubcommand((c) =>
        c
          .setName('add')
          .setDescription('Block a word or phrase')
          .addStringOption((o) => o.setName('word').setDescription('Word or phrase').setRequired(true).setMaxLength(64)),
      )
      .addSubcommand((c) =>
        c
          .setName('remove')
          .setDescription('Unblock a word or phrase')
          .addStringOption((o) => o.setName('word').setDescription('Word or phrase').setRequired(true).setMaxLength(64)),
      )
      .addSubcommand((c) => c.setName('list').setDescription('The blocked words (only you see the list)')),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('models')
      .setDescription("Which of the operator's video models members may use here")
      .addSubcommand((c) => c.setName('list').setDescription('Every model with its price, who may use it, and the default (only you see it)'))
      .addSubcommand((c) =>
        c
          .setName('allow')
          .setDescription('Allow a model (no role = everyone; a role = only members with one of the roles allowed)')
          .addStringOption(modelOption)
          .addRoleOption((o) => o.setName('role').setDescription('Limit the model to this role (repeat for more roles)')),
      )
      .addSubcommand((c) => c.setName('deny').setDescription('No one here may use the model').addStringOption(modelOption))
      .addSubcommand((c) => c.setName('default').setDescription('The model /video uses when none is chosen').addStringOption(modelOption)),
  )
  .addSubcommand((c) =>
    c
      .setName('modlog')
      .setDescription('Where the mod-log goes (omit the channel to turn it off)')
      .addChannelOption((o) => o.setName('channel').setDescription('The channel').addChannelTypes(...channelTypes)),
  )
  .addSubcommand((c) =>
    c
      .setName('pause')
      .setDescription('Refuse new requests (waiting and running videos go on)')
      .addStringOption((o) => o.setName('reason').setDescription('Shown to members').setMaxLength(200)),
  )
  .addSubcommand((c) => c.setName('resume').setDescription('Accept new requests again'))
  .addSubcommand((c) =>
    c
      .setName('usage')
      .setDescription('Usage report with a chart and a CSV')
      .addStringOption((o) =>
        o.setName('period').setDescription("Default: the server's allowance period").addChoices(
          { name: 'day', value: 'day' },
          { name: 'week', value: 'week' },
          { name: 'month', value: 'month' },
        ),
      )
      .addUserOption((o) => o.setName('member').setDescription("One member's figures")),
  )
  .addSubcommand((c) =>
    c
      .setName('forget')
      .setDescription("Delete a member's stored prompts and images (their seconds stay counted)")
      .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true)),
  );

/** What a moderator asked for, read from the interaction; `error` names the option at fault. */
export type AdminRequest =
  | { kind: 'change'; change: AdminChange }
  | { kind: 'settings' }
  | { kind: 'words-list' }
  | { kind: 'models-list' }
  | { kind: 'usage'; period?: 'day' | 'week' | 'month'; userId?: string }
  | { kind: 'forget'; userId: string }
  | { kind: 'error'; error: string };

/** Exactly one of `seconds` or `unlimited: true`. */
function allowanceOption(i: ChatInputCommandInteraction): Allowance | { error: string } {
  const seconds = i.options.getInteger('seconds');
  const unlimited = i.options.getBoolean('unlimited');
  if (seconds !== null && unlimited !== null) return { error: 'Give either `seconds` or `unlimited`, not both.' };
  if (unlimited === true) return 'unlimited';
  if (seconds === null) return { error: 'Give `seconds` (0 or more) or `unlimited: True`.' };
  if (seconds < 0) return { error: '`seconds` must be 0 or more.' };
  return seconds;
}

export function readAdminRequest(i: ChatInputCommandInteraction): AdminRequest {
  const o = i.options;
  const group = o.getSubcommandGroup(false);
  const sub = o.getSubcommand(true);
  const change = (c: AdminChange): AdminRequest => ({ kind: 'change', change: c });
  const withAllowance = (make: (a: Allowance) => AdminChange): AdminRequest => {
    const allowance = allowanceOption(i);
    return typeof allowance === 'object' ? { kind: 'error', ...allowance } : change(make(allowance));
  };
  const optional = <T>(value: T | null): T | undefined => value ?? undefined;
  switch (`${group ?? ''}/${sub}`) {
    case '/settings':
      return { kind: 'settings' };
    case 'quota/default': {
      const period = o.getString('period') as 'day' | 'week' | null;
      if (period && o.getInteger('seconds') === null && o.getBoolean('unlimited') === null) {
        return { kind: 'error', error: 'Give `seconds` or `unlimited` with `period` (the allowance per period).' };
      }
      return withAllowance((allowance) => ({ kind: 'quota-default', allowance, ...(period ? { period } : {}) }));
    }
    case 'quota/role':
      return withAllowance((allowance) => ({ kind: 'quota-role', roleId: o.getRole('role', true).id, allowance }));
    case 'quota/member':
      return withAllowance((allowance) => ({ kind: 'quota-member', userId: o.getUser('member', true).id, allowance }));
    case 'quota/clear': {
      const target = o.get('target', true);
      return change({ kind: 'quota-clear', targetId: String(target.value), targetKind: target.role ? 'role' : 'member' });
    }
    case 'quota/grant':
      return change({ kind: 'quota-grant', userId: o.getUser('member', true).id, seconds: o.getInteger('seconds', true) });
    case 'quota/reset':
      return change({ kind: 'quota-reset', userId: o.getUser('member', true).id });
    case 'quota/budget':
      return change({ kind: 'quota-budget', seconds: o.getInteger('seconds', true) });
    case '/limits': {
      const limits: AdminChange = { kind: 'limits' };
      const concurrency = optional(o.getInteger('concurrency'));
      const queue = optional(o.getInteger('queue'));
      const pending = optional(o.getInteger('pending'));
      const cooldown = optional(o.getInteger('cooldown'));
      const allow10s = optional(o.getBoolean('allow_10s'));
      return change({
        ...limits,
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(queue !== undefined ? { queue } : {}),
        ...(pending !== undefined ? { pending } : {}),
        ...(cooldown !== undefined ? { cooldown } : {}),
        ...(allow10s !== undefined ? { allow10s } : {}),
      });
    }
    case 'access/channel':
      return change({ kind: 'access-channel', channelId: o.getChannel('channel', true).id, allowed: o.getBoolean('allowed', true) });
    case 'access/role':
      return change({ kind: 'access-role', roleId: o.getRole('role', true).id, allowed: o.getBoolean('allowed', true) });
    case 'access/block': {
      const reason = optional(o.getString('reason'));
      return change({ kind: 'access-block', userId: o.getUser('member', true).id, ...(reason ? { reason } : {}) });
    }
    case 'access/unblock':
      return change({ kind: 'access-unblock', userId: o.getUser('member', true).id });
    case 'words/add':
      return change({ kind: 'words-add', word: o.getString('word', true) });
    case 'words/remove':
      return change({ kind: 'words-remove', word: o.getString('word', true) });
    case 'words/list':
      return { kind: 'words-list' };
    case 'models/list':
      return { kind: 'models-list' };
    case 'models/allow': {
      const role = o.getRole('role');
      return change({ kind: 'models-allow', model: o.getString('model', true).trim(), ...(role ? { roleId: role.id } : {}) });
    }
    case 'models/deny':
      return change({ kind: 'models-deny', model: o.getString('model', true).trim() });
    case 'models/default':
      return change({ kind: 'models-default', model: o.getString('model', true).trim() });
    case '/modlog': {
      const channel = o.getChannel('channel');
      return change({ kind: 'modlog', ...(channel ? { channelId: channel.id } : {}) });
    }
    case '/pause': {
      const reason = optional(o.getString('reason'));
      return change({ kind: 'pause', ...(reason ? { reason } : {}) });
    }
    case '/resume':
      return change({ kind: 'resume' });
    case '/usage': {
      const period = optional(o.getString('period')) as 'day' | 'week' | 'month' | undefined;
      const user = o.getUser('member');
      return { kind: 'usage', ...(period ? { period } : {}), ...(user ? { userId: user.id } : {}) };
    }
    case '/forget':
      return { kind: 'forget', userId: o.getUser('member', true).id };
    default:
      return { kind: 'error', error: 'That subcommand is not known to this version of the bot.' };
  }
}

const quiet = { parse: [] as [] };

/**
 * Answers are ephemeral: what is now in force, after it was persisted. An invalid value is answered at once with
 * what the option must be; anything that touches the store is acknowledged first (Discord's 3 seconds).
 */
export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  const say = (content: string) =>
    interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: quiet });
  if (!interaction.inGuild()) {
    await say('This command works in a server only.');
    return;
  }
  const guildId = interaction.guildId;
  const by = interaction.user.id;
  const request = readAdminRequest(interaction);
  switch (request.kind) {
    case 'error':
      await say(request.error);
      return;
    case 'settings':
      await interaction.reply({ embeds: [ctx.admin.settings(guildId)], flags: MessageFlags.Ephemeral, allowedMentions: quiet });
      return;
    case 'words-list': {
      const words = ctx.admin.words(guildId);
      await interaction.reply({
        embeds: [{ title: `Blocked words (${words.length})`, description: listWords(words) }],
        flags: MessageFlags.Ephemeral,
        allowedMentions: quiet,
      });
      return;
    }
    case 'models-list': {
      const embed = ctx.admin.models(guildId);
      if (!embed) await say('Models cannot be listed in this version of the bot.');
      else await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: quiet });
      return;
    }
    case 'change': {
      const error = ctx.admin.precheck(guildId, request.change, by);
      if (error) {
        await say(error);
        return;
      }
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const answer = await ctx.admin.change(guildId, request.change, by);
      await interaction.editReply({ content: cut(answer.ok ? answer.text : answer.error, 2000), allowedMentions: quiet });
      return;
    }
    case 'forget': {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const answer = await ctx.admin.change(guildId, { kind: 'forget', userId: request.userId }, by);
      await interaction.editReply({ content: cut(answer.ok ? answer.text : answer.error, 2000), allowedMentions: quiet });
      return;
    }
    case 'usage': {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const report = await ctx.admin.usage(guildId, { ...(request.period ? { period: request.period } : {}), ...(request.userId ? { userId: request.userId } : {}) });
      if (typeof report === 'string') {
        await interaction.editReply({ content: report, allowedMentions: quiet });
        return;
      }
      await interaction.editReply({
        embeds: report.embeds,
        files: report.files.map((f) => new AttachmentBuilder(f.data, { name: f.name })),
        allowedMentions: quiet,
      });
      return;
    }
  }
}

/** Every `model` option autocompletes over the operator's catalogue (Discord takes at most 25 choices). */
export async function autocomplete(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  await interaction.respond(focused.name === 'model' ? ctx.admin.modelChoices(String(focused.value)) : []);
}

/** The blocked words, each in quotes, within an embed's description. */
function listWords(words: readonly string[]): string {
  if (words.length === 0) return 'None. Add one with `/video-admin words add`.';
  let text = '';
  for (const [i, word] of words.entries()) {
    const next = `${i ? ', ' : ''}“${word}”`;
    if (text.length + next.length > 3900) return `${text} … and ${words.length - i} more`;
    text += next;
  }
  return text;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
