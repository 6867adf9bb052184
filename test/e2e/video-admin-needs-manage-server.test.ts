import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import type { FakeUser, InteractionHandle } from '../fakes/discord/fake-discord.js';
import { answerOf, refusalOf, runAdmin } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '259000000000000001', username: 'amy' };
const helper: FakeUser = { id: '259000000000000002', username: 'helper' };
const boss: FakeUser = { id: '259000000000000003', username: 'boss' };

describe('/video-admin is checked by the bot too: Manage Server or Administrator, whatever Integrations shows it to', () => {
  const world = useWorld({ env: { USER_PENDING_LIMIT: '10' } });

  it("a member the server's Integrations settings show it to, without Manage Server, gets a private refusal and changes nothing", async () => {
    const w = world();
    await readyPing(w, requestVideo(w, amy, 'a private birthday wish'));
    await untilNoActiveJobs(w);
    const helpers = w.discord.addRole({ name: 'Helpers' });
    w.discord.addMember({ user: helper, roles: [helpers.id] });
    w.discord.setCommandPermissions({ name: 'video-admin', permissions: [{ id: helpers.id, type: 1, permission: true }] });
    const asHelper = (subcommand: string, options: Record<string, string | number | boolean> = {}): InteractionHandle =>
      w.discord.sendSlashCommand({ name: 'video-admin', subcommand, options, user: helper });

    for (const [subcommand, options] of [
      ['forget', { member: amy.id }],
      ['quota default', { seconds: 0 }],
      ['usage', { period: 'month' }],
      ['words list', {}],
      ['settings', {}],
      ['access block', { member: amy.id }],
      ['models list', {}],
      ['models deny', { model: 'kwaivgi/kling-v1.6-standard' }],
    ] as const) {
      const handle = asHelper(subcommand, options);
      expect(await refusalOf(w, handle), subcommand).toBe(refusalText('manage-server-only'));
      const answer = w.discord.interaction(handle.id);
      expect(answer.original!.embeds, subcommand).toEqual([]);
      expect(answer.original!.attachments, subcommand).toEqual([]);
    }

    // Typing in a `model` option offers them nothing either.
    const typing = w.discord.sendAutocomplete({ name: 'video-admin', subcommand: 'models allow', options: { model: '' }, focused: 'model', user: helper });
    expect(await w.discord.waitFor((d) => d.interaction(typing.id).choices, { description: 'the choices' })).toEqual([]);

    // Nothing changed: Amy's prompt is still stored, her allowance and access are as before, the mod-log is silent.
    const [queued] = w.logs.find('job queued').filter((e) => e.userId === amy.id);
    expect((await w.bot.store.getJob(queued!.jobId as string))?.request.prompt).toBe('a private birthday wish');
    await replyShowing(w, requestVideo(w, amy, 'still allowed'), /./);
    expect(w.logs.find('command refused')).toHaveLength(8);
    expect(w.logs.find('command refused').every((e) => e.userId === helper.id)).toBe(true);
  });

  it('a member with Manage Server, or an administrator, is answered', async () => {
    const w = world();
    expect((await runAdmin(w, 'settings')).original!.embeds).toHaveLength(1);
    w.discord.addMember({ user: boss, roles: [], permissions: PermissionFlagsBits.Administrator });
    const handle = w.discord.sendSlashCommand({ name: 'video-admin', subcommand: 'words list', user: boss });
    const answer = await answerOf(w, handle);
    expect(answer.ephemeral).toBe(true);
    expect(answer.original!.embeds).toHaveLength(1);
  });
});
