import { describe, expect, it } from 'vitest';
import type { InteractionHandle, SlashCommandInput } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { untilNoActiveJobs } from '../harness/video-steps.js';
import { refusalText, type RefusalCode } from '../../src/refusals.js';

const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const ephemeral = 64;
const loading = 128;

const world = useWorld();

/** Sends the command and checks the member got only an ephemeral refusal, inside Discord's 3 seconds. */
async function expectRefused(input: Omit<SlashCommandInput, 'name'>, code: RefusalCode): Promise<void> {
  const sent = world().discord.sendSlashCommand({ name: 'video', ...input });
  const record = await world().discord.waitFor((d) => d.interaction(sent.id).ackType !== undefined && d.interaction(sent.id), {
    description: `the ${code} refusal`,
  });

  expect(record.ackType).toBe(4);
  expect(record.ephemeral).toBe(true);
  expect(record.original!.flags & ephemeral).toBe(ephemeral);
  expect(record.original!.content).toBe(refusalText(code));
  expect(record.original!.components).toEqual([]);
  const acks = world().discord.ackLatencies().filter((a) => a.interactionId === sent.id);
  expect(acks).toEqual([expect.objectContaining({ accepted: true, callbackType: 4 })]);
  expect(acks[0]!.latencyMs).toBeLessThan(3000);
  expect(record.followUps).toEqual([]);
  expect(world().replicate.requests.filter((r) => r.route !== 'model-get')).toEqual([]);
  expect(world().replicate.predictions).toEqual([]);
  expect(world().logs.find('request refused').map((e) => e.refusal)).toEqual([code]);
}

/** Waits until the deferred reply shows something other than "thinking". */
async function finalReply(sent: InteractionHandle) {
  return world().discord.waitFor(
    (d) => {
      const record = d.interaction(sent.id);
      const original = record.original;
      return original && (original.flags & loading) === 0 && original.content !== '' && record;
    },
    { timeoutMs: 10_000, description: 'the deferred reply to end' },
  );
}

describe('/video refuses bad input', () => {
  it('refuses an empty prompt ephemerally', async () => {
    await expectRefused({ options: { prompt: '' } }, 'empty-prompt');
  });

  it('refuses a prompt of only whitespace ephemerally', async () => {
    await expectRefused({ options: { prompt: '   \t  ' } }, 'empty-prompt');
  });

  it('refuses a prompt over 2500 characters ephemerally', async () => {
    await expectRefused({ options: { prompt: 'a'.repeat(2501) } }, 'prompt-too-long');
  });

  it('refuses an option value outside what the command offers ephemerally', async () => {
    await expectRefused({ options: { prompt: 'a cat', cfg_scale: 1.5 } }, 'bad-option');
  });

  it('refuses an attachment that is not an image ephemerally', async () => {
    const notes = world().discord.addAttachment({ bytes: Buffer.from('just some notes\n'), filename: 'notes.txt' });
    expect(notes.content_type).toMatch(/^text\/plain/);
    await expectRefused({ options: { prompt: 'a cat', image: notes } }, 'not-an-image');
  });

  it('refuses an image Discord says is over 10 MiB ephemerally', async () => {
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'huge.png' });
    await expectRefused({ options: { prompt: 'a cat', image: { ...image, size: 10 * 1024 * 1024 + 1 } } }, 'image-too-large');
  });

  it('refuses use in a direct message ephemerally', async () => {
    await expectRefused({ context: 'dm', options: { prompt: 'a cat' } }, 'guild-only');
  });

  it('ends the reply with a clear message when a “PNG” attachment is not an image at all', async () => {
    const fake = world().discord.addAttachment({ bytes: Buffer.from('<html>definitely not a png</html>'), filename: 'cat.png' });
    expect(fake.content_type).toBe('image/png');
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a cat', image: fake } });

    const record = await finalReply(sent);

    expect(record.ackType).toBe(5);
    expect(record.original!.content).toMatch(/not a PNG, JPEG or WebP image/);
    expect(record.original!.content).not.toContain(fake.url);
    expect(record.originalHistory.flatMap((m) => m.components)).toEqual([]);
    expect(world().replicate.requests.filter((r) => r.route !== 'model-get')).toEqual([]);
    expect(world().replicate.predictions).toEqual([]);
    await untilNoActiveJobs(world());
  });

  it('ends the reply with a clear message when the attachment can no longer be downloaded', async () => {
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'gone.png' });
    world().discord.expireAttachment(image.id);
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a cat', image } });

    const record = await finalReply(sent);

    expect(record.ackType).toBe(5);
    expect(record.original!.content).toMatch(/couldn.t be downloaded from Discord/);
    expect(record.original!.content).toMatch(/attach it again/);
    expect(record.original!.content).not.toContain(image.url);
    expect(record.originalHistory.flatMap((m) => m.components)).toEqual([]);
    expect(world().replicate.requests.filter((r) => r.route !== 'model-get')).toEqual([]);
    expect(world().replicate.predictions).toEqual([]);
    await untilNoActiveJobs(world());
  });
});
