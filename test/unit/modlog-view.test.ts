import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { renderJobEntry, renderSettingsChange } from '../../src/moderation/modlog-view.js';

const job: Job = {
  id: '8f0c2a1e-0000-4000-8000-000000000001', guildId: 'g1', userId: '1400000000000000001', seq: 1, state: 'queued',
  request: { prompt: 'a fox in the snow', negativePrompt: 'blur', duration: 10, aspectRatio: '9:16' },
  image: { filename: 'fox.png', contentType: 'image/png', size: 9, url: 'https://cdn.discordapp.com/attachments/1/2/fox.png', stored: true },
  seconds: 10,
  reply: { applicationId: 'a', interactionId: 'i', interactionToken: 'secret', interactionAt: 0, channelId: 'c', attachmentSizeLimit: 1 },
  createdAt: Date.UTC(2026, 11, 1, 10), updatedAt: 0,
};

describe('the mod-log', () => {
  it('shows an accepted job: member, prompt, options, seconds, estimated cost and the start image', () => {
    const [embed] = renderJobEntry(job, 0.05).embeds;
    expect(embed!.description).toBe('a fox in the snow');
    expect(embed!.fields).toEqual([
      { name: 'Member', value: '<@1400000000000000001>', inline: true },
      { name: 'Options', value: '10 s · 9:16 · with an image', inline: true },
      { name: 'Estimated cost', value: '$0.50', inline: true },
      { name: 'Negative prompt', value: 'blur' },
      { name: 'Outcome', value: '⏳ in progress' },
    ]);
    expect(embed!.thumbnail).toEqual({ url: job.image!.url });
    expect(JSON.stringify(renderJobEntry(job, 0.05))).not.toContain('secret');
  });

  it('edits the same entry with the outcome: delivered with a link, failed with the reason, canceled and by whom', () => {
    const delivered = renderJobEntry({ ...job, state: 'done' }, 0.05, { messageUrl: 'https://discord.com/channels/g1/c/m' });
    expect(delivered.embeds[0]!.fields!.at(-1)!.value).toBe('✅ delivered · [the video](https://discord.com/channels/g1/c/m)');
    expect(renderJobEntry({ ...job, state: 'failed', reason: 'The model could not make this video.' }, 0.05).embeds[0]!.fields!.at(-1)!.value).toBe(
      '❌ failed: The model could not make this video.',
    );
    expect(renderJobEntry({ ...job, state: 'canceled', canceledBy: 'mod1' }, 0.05).embeds[0]!.fields!.at(-1)!.value).toBe('🚫 canceled by <@mod1>');
    expect(renderJobEntry({ ...job, state: 'canceled' }, 0.05).embeds[0]!.fields!.at(-1)!.value).toBe('🚫 canceled by the member');
  });

  it('keeps a very long prompt inside Discord’s limits', () => {
    const [embed] = renderJobEntry({ ...job, request: { prompt: 'x'.repeat(2500) } }, 0.05).embeds;
    expect(embed!.description!.length).toBeLessThanOrEqual(1500);
  });

  it('says who changed what, from what to what, and pings nobody', () => {
    const message = renderSettingsChange('mod1', 'quota default', ['default allowance: 60 s → 120 s'], Date.UTC(2026, 11, 1));
    expect(message.embeds[0]!.description).toBe('<@mod1> changed:\n• default allowance: 60 s → 120 s');
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });
});
