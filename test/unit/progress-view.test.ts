import { ButtonStyle, ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { cancelCustomId, parseCancelCustomId } from '../../src/discord/custom-id.js';
import { formatElapsed, shorten } from '../../src/responder/format.js';
import {
  renderDeliveredBelow,
  renderDone,
  renderMoved,
  renderProgress,
  renderReadyPing,
} from '../../src/responder/progress-view.js';

const t0 = Date.UTC(2026, 0, 1, 12);

function job(patch: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    guildId: '100000000000000001',
    userId: '200000000000000002',
    seq: 1,
    state: 'queued',
    request: { prompt: 'a cat surfing a wave at sunset' },
    seconds: 5,
    reply: {
      applicationId: '300000000000000003',
      interactionId: '400000000000000004',
      interactionToken: 'secret-token',
      interactionAt: t0,
      channelId: '500000000000000005',
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    createdAt: t0,
    updatedAt: t0,
    ...patch,
  };
}

const cancelButton = {
  type: ComponentType.ActionRow,
  components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel', custom_id: 'cancel:job-1' }],
};

describe('renderProgress', () => {
  it('shows a queued job with its position, the request and a Cancel button', () => {
    const view = renderProgress(job(), { position: 3, now: t0 });
    expect(view.content).toBe('⏳ In the queue — position 3\n“a cat surfing a wave at sunset”');
    expect(view.components).toEqual([cancelButton]);
    expect(view.allowed_mentions).toEqual({ parse: [] });
  });

  it('shows starting and running (with elapsed time) with the Cancel button', () => {
    expect(renderProgress(job({ state: 'starting' }), { now: t0 }).content.split('\n')[0]).toBe('Starting…');
    const running = renderProgress(job({ state: 'running', startedAt: t0 }), { now: t0 + 80_000 });
    expect(running.content.split('\n')[0]).toBe('🎬 Generating… 1m 20s elapsed');
    expect(running.components).toEqual([cancelButton]);
  });

  it('has no button while delivering or once terminal', () => {
    const states = [
      [job({ state: 'delivering' }), '📦 Preparing your video…'],
      [job({ state: 'failed', reason: 'The model refused this prompt.' }), '❌ The model refused this prompt.'],
      [job({ state: 'canceled', canceledBy: '200000000000000002' }), 'Canceled'],
      [job({ state: 'canceled', canceledBy: '900000000000000009' }), 'Canceled by <@900000000000000009>'],
    ] as const;
    for (const [j, line] of states) {
      const view = renderProgress(j, { now: t0 });
      expect(view.content.split('\n')[0]).toBe(line);
      expect(view.components).toEqual([]);
      expect(view.allowed_mentions).toEqual({ parse: [] });
    }
  });

  it('shortens long prompts to one line and lists only the options that were set', () => {
    const prompt = `@everyone look\n\n${'very '.repeat(40)}long`;
    const view = renderProgress(
      job({ request: { prompt, aspectRatio: '9:16', duration: 10, cfgScale: 0.7 }, seconds: 10 }),
      { now: t0 },
    );
    const summary = view.content.split('\n')[1] ?? '';
    expect(view.content.split('\n')).toHaveLength(2);
    expect(summary).toMatch(/^“@everyone look very .*…” · 9:16 · 10 s · cfg 0\.7$/);
    expect([...summary.slice(1, summary.indexOf('”'))].length).toBeLessThanOrEqual(80);
    expect(view.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('renderDone and friends', () => {
  it('names the requester, the request and the time it took, without pinging, with Regenerate and Remix', () => {
    const done = job({ state: 'done', request: { prompt: 'a cat', aspectRatio: '16:9' } });
    const view = renderDone(done, { durationMs: 151_000 });
    expect(view.content).toBe("✅ <@200000000000000002>'s video: “a cat” · 16:9 · 5 s · made in 2m 31s");
    expect(view.allowed_mentions).toEqual({ parse: [] });
    expect(view.components).toMatchObject([
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Regenerate', custom_id: 'regen:job-1' },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Remix', custom_id: 'remix:job-1' },
        ],
      },
    ]);
  });

  it('explains a re-encode and an expiring link', () => {
    const reencoded = renderDone(job(), {
      durationMs: 1000,
      reencoded: { fromBytes: 12e6, toBytes: 9e6, keptResolution: true, limitBytes: 10 * 1024 * 1024 },
    });
    expect(reencoded.content).toContain("Re-encoded to fit Discord's 10 MB upload limit (resolution kept)");
    const expiresAt = Date.UTC(2026, 0, 1, 13, 0, 0);
    const link = renderDone(job(), { durationMs: 1000, linkUrl: 'https://replicate.delivery/x/out.mp4', linkExpiresAt: expiresAt });
    expect(link.content).toContain(`Could not be attached here: download it from Replicate — the link expires <t:${expiresAt / 1000}:R>.`);
    expect(link.content).toContain('https://replicate.delivery/x/out.mp4');
  });

  it('pings exactly the requester in the ready follow-up', () => {
    const view = renderReadyPing(job());
    expect(view.content).toBe('<@200000000000000002> your video is ready ↑');
    expect(view.allowed_mentions).toEqual({ parse: [], users: ['200000000000000002'] });
  });

  it('points the original reply at the channel message, without a button', () => {
    const view = renderMoved(job({ state: 'running' }));
    expect(view.content).toContain('Progress continues in the channel message below ↓');
    expect(view.components).toEqual([]);
  });

  it('closes a moved progress message by pointing at the delivery below, pinging nobody', () => {
    const view = renderDeliveredBelow(job({ state: 'delivering' }));
    expect(view.content.split('\n')[0]).toBe('✅ Done — the video is in the message below ↓');
    expect(view.components).toEqual([]);
    expect(view.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('helpers', () => {
  it('round-trips the cancel custom_id and ignores foreign ones', () => {
    expect(cancelCustomId('job-1')).toBe('cancel:job-1');
    expect(parseCancelCustomId('cancel:job-1')).toBe('job-1');
    expect(parseCancelCustomId('cancel:')).toBeUndefined();
    expect(parseCancelCustomId('other:job-1')).toBeUndefined();
  });

  it('formats elapsed time and shortens by code points', () => {
    expect(formatElapsed(45_000)).toBe('45s');
    expect(formatElapsed(3_900_000)).toBe('1h 5m');
    expect(shorten('🐱🐱🐱🐱', 3)).toBe('🐱🐱…');
  });
});

describe('the ETA in the progress message', () => {
  it('shows a waiting job its place and, once there is history, when its video should be ready', () => {
    expect(renderProgress(job(), { position: 2, now: t0 }).content.split('\n')[0]).toBe('⏳ In the queue — position 2');
    expect(renderProgress(job(), { position: 2, etaMs: 181_000, now: t0 }).content.split('\n')[0]).toBe(
      '⏳ In the queue — position 2 · ready in about 4 min',
    );
  });

  it('counts a running job down to its estimate, and says plainly when it runs past it', () => {
    const running = job({ state: 'running', startedAt: t0 });
    expect(renderProgress(running, { now: t0 + 60_000 }).content).not.toMatch(/left|longer/);
    expect(renderProgress(running, { readyAt: t0 + 240_000, now: t0 + 60_000 }).content.split('\n')[0]).toBe(
      `🎬 Generating… ${formatElapsed(60_000)} elapsed · about 3 min left`,
    );
    expect(renderProgress(running, { readyAt: t0 + 240_000, now: t0 + 300_000 }).content.split('\n')[0]).toBe(
      `🎬 Generating… ${formatElapsed(300_000)} elapsed · taking longer than usual`,
    );
  });
});
