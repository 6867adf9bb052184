import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ButtonStyle, ComponentType } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, ReplyTarget } from '../../src/queue/job.js';
import { createDiscordResponder } from '../../src/responder/discord-responder.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog, discordError, hang, ids, makeJob, paths, startRecorder, waitFor } from './responder-recorder.js';
import type { Recorded, Recorder } from './responder-recorder.js';

let server: Recorder;
let clock: ManualClock;
let logs: ReturnType<typeof captureLog>;
let saved: { jobId: string; reply: ReplyTarget; requestsBefore: number }[];
let tempDir: string;

beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'responder-progress-'));
  server = await startRecorder();
  clock = new ManualClock();
  logs = captureLog();
  saved = [];
  server.on((r) => (r.method === 'PATCH' ? { status: 200, body: { id: server.newId() } } : undefined));
  server.answer('POST', paths.channelMessages);
});

afterEach(async () => {
  await server.close();
  await rm(tempDir, { recursive: true, force: true });
  expect(server.unexpected).toEqual([]);
  expect(logs.lines.join('\n')).not.toContain(ids.token);
});

function responder(options: { editIntervalMs?: number } = {}) {
  return createDiscordResponder({
    rest: server.rest(),
    clock,
    log: logs.log,
    editIntervalMs: options.editIntervalMs ?? 0,
    tempDir,
    saveReply: async (jobId, reply) => void saved.push({ jobId, reply, requestsBefore: server.requests.length }),
  });
}

const job = (patch: Partial<Job> = {}): Job => makeJob(clock.now(), patch);
const firstLine = (r: Recorded) => String(r.json?.content).split('\n')[0];
const contents = () => server.discord().map((r) => `${r.method} ${r.path.replace(ids.token, ':token')} ${firstLine(r)}`);

describe('progress edits', () => {
  it('edits the original reply without auth, with a Cancel button and no pings', async () => {
    responder().update(job(), { position: 2 });
    const edit = await waitFor(() => server.requests[0]);
    expect(edit.method).toBe('PATCH');
    expect(edit.path).toBe(paths.original);
    expect(edit.auth).toBeUndefined();
    expect(edit.json).toMatchObject({
      content: '⏳ In the queue — position 2\n“a cat surfing @everyone”',
      allowed_mentions: { parse: [] },
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel', custom_id: 'cancel:job-1' },
          ],
        },
      ],
    });
  });

  it('sends at most one edit per interval, the latest view, and skips unchanged views', async () => {
    const r = responder({ editIntervalMs: 3000 });
    r.update(job(), { position: 3 });
    await waitFor(() => server.requests.length === 1);
    r.update(job(), { position: 2 });
    r.update(job(), { position: 1 });
    await clock.advance(2999);
    expect(server.requests).toHaveLength(1);
    await clock.advance(1);
    await waitFor(() => server.requests.length === 2);
    r.update(job(), { position: 1 });
    await clock.advance(5000);
    expect(contents()).toEqual([
      `PATCH ${paths.original.replace(ids.token, ':token')} ⏳ In the queue — position 3`,
      `PATCH ${paths.original.replace(ids.token, ':token')} ⏳ In the queue — position 1`,
    ]);
  });

  it('re-renders a running job so the elapsed time moves', async () => {
    const r = responder();
    r.update(job({ state: 'running', startedAt: clock.now() }));
    await waitFor(() => server.requests.length === 1);
    await clock.advance(15_000);
    await waitFor(() => server.requests.length === 2);
    expect(String(server.requests[1]?.json?.content)).toMatch(/^🎬 Generating… 15s elapsed/);
  });

  it('moves progress to a channel message before the token expires, persisting it before pointing there', async () => {
    const r = responder();
    const running = job({ state: 'running', startedAt: clock.now() });
    r.update(running);
    await waitFor(() => server.requests.length === 1);
    await clock.advance(13 * 60_000);
    const pointsDown = (r: Recorded) => String(r.json?.content).includes('Progress continues in the channel message below ↓');
    await waitFor(() => saved.length === 1 && server.requests.some(pointsDown));
    const postAt = server.requests.findIndex((r) => r.method === 'POST');
    const post = server.requests[postAt];
    const pointer = server.requests.find(pointsDown);
    expect(post).toMatchObject({ method: 'POST', path: paths.channelMessages, auth: 'Bot bot-token' });
    expect(post?.json).toMatchObject({
      allowed_mentions: { parse: [] },
      components: [{ components: [{ custom_id: 'cancel:job-1' }] }],
    });
    expect(String(post?.json?.content)).toMatch(/^🎬 Generating… 13m 0s elapsed/);
    expect(pointer).toMatchObject({ method: 'PATCH', path: paths.original });
    expect(pointer?.json).toMatchObject({ components: [], allowed_mentions: { parse: [] } });
    expect(saved).toHaveLength(1);
    expect(saved[0]?.requestsBefore).toBe(postAt + 1);
    expect(server.requests.indexOf(pointer!)).toBe(postAt + 1);
    const messageId = saved[0]?.reply.channelMessageId;
    expect(messageId).toMatch(/^\d{18}$/);

    const before = server.requests.length;
    r.update({ ...running, state: 'delivering' });
    await waitFor(() => server.requests.length === before + 1);
    expect(server.requests[before]).toMatchObject({ method: 'PATCH', path: `${paths.channelMessages}/${messageId}` });
  });

  it('shows a job whose token expired while the bot was down in a channel message, never sending the dead token', async () => {
    const r = responder();
    const asked = job({ state: 'running', startedAt: clock.now() });
    r.update({ ...asked, reply: { ...asked.reply, interactionAt: clock.now() - 20 * 60_000 } });
    await waitFor(() => saved.length === 1);
    await clock.advance(0);
    expect(contents()).toEqual([`POST ${paths.channelMessages} 🎬 Generating… 0s elapsed`]);
  });

  it('switches to a channel message when Discord says the token is dead, and logs no token', async () => {
    server.answer('PATCH', paths.original, discordError(401, 50027, 'Invalid Webhook Token'));
    responder().update(job({ state: 'starting' }));
    await waitFor(() => saved.length === 1);
    expect(contents()).toEqual([
      `PATCH ${paths.original.replace(ids.token, ':token')} Starting…`,
      `POST ${paths.channelMessages} Starting…`,
    ]);
  });

  it('logs other errors once with code, status and method only, and drops the edit', async () => {
    server.answer('PATCH', paths.original, discordError(403, 50013, 'Missing Permissions'));
    const r = responder();
    r.update(job(), { position: 2 });
    await waitFor(() => server.requests.length === 1);
    r.update(job(), { position: 1 });
    await waitFor(() => server.requests.length === 2);
    await waitFor(() => logs.lines.length >= 1);
    const warnings = logs.parsed().filter((l) => l.msg === 'progress edit failed');
    expect(warnings).toEqual([
      {
        level: 40,
        jobId: 'job-1',
        err: { type: 'DiscordAPIError', code: 50013, status: 403, method: 'PATCH' },
        msg: 'progress edit failed',
      },
    ]);
  });
});

describe('shutdown', () => {
  it('does not wait for a progress edit Discord never answers: the stop goes on after a few seconds', async () => {
    server.on((r) => (r.method === 'PATCH' ? hang : undefined));
    const r = responder();
    r.update(job(), { position: 1 });
    await waitFor(() => server.requests[0]);
    // discord.js would wait 15 s for its answer; the stop gives edits in flight 3 s, well inside this test's 8 s.
    await r.close();
    expect(server.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
  }, 8_000);
});

describe('finish', () => {
  it('shows a failure without a button and stops the ticker', async () => {
    const r = responder();
    r.update(job({ state: 'running', startedAt: clock.now() }));
    await waitFor(() => server.requests.length === 1);
    await r.finish(job({ state: 'failed', reason: 'The model could not make this video.' }));
    expect(server.requests[1]?.json).toMatchObject({
      content: expect.stringMatching(/^❌ The model could not make this video\./) as unknown,
      components: [],
      allowed_mentions: { parse: [] },
    });
    expect(clock.nextDue()).toBeUndefined();
  });

  it('edits the channel message once progress moved there, and names a moderator who canceled', async () => {
    const r = responder();
    const moved = job({ state: 'canceled', canceledBy: '900000000000000009' });
    moved.reply.channelMessageId = '600000000000000006';
    await r.finish(moved);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'PATCH', path: `${paths.channelMessages}/600000000000000006` });
    expect(String(server.requests[0]?.json?.content)).toMatch(/^<@200000000000000002> Canceled by <@900000000000000009>/);
  });
});
