import { describe, expect, it } from 'vitest';
import { onePixelPng } from '../harness/png.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld();

/** Ben right-clicks Amy's message → Apps → Animate image, and waits for the answer. */
async function animate(w: World, messageId: string) {
  const menu = w.discord.sendMessageCommand({ name: 'Animate image', message: messageId, user: ben });
  await w.discord.waitFor((d) => d.interaction(menu.id).ackType !== undefined, { description: 'the menu answered' });
  return menu;
}

describe('Animate image on a member’s message', () => {
  it("opens the form, and its submit gives the model that image's bytes and the prompt as typed", async () => {
    const photo = world().discord.addAttachment({ bytes: onePixelPng, filename: 'beach.png' });
    const posted = world().discord.postMessage({ user: amy, content: 'look at this', attachments: [photo] });

    const menu = await animate(world(), posted.id);
    expect(world().discord.interaction(menu.id).ackType).toBe(9);
    expect(world().discord.modalInputs(menu.id).map(({ customId, style, required, maxLength, value }) => ({ customId, style, required, maxLength, value }))).toEqual([
      { customId: 'prompt', style: 2, required: true, maxLength: 2500, value: undefined },
      { customId: 'negative_prompt', style: 2, required: false, maxLength: 2500, value: undefined },
    ]);

    const prompt = 'the tide comes in, "slowly", over the sand\nand the sun sets';
    const submit = world().discord.submitModal({ from: menu, user: ben, fields: { prompt: `  ${prompt} \n`, negative_prompt: ' people ' } });
    const record = await readyPing(world(), submit);

    expect(record.ackType).toBe(5);
    expect(record.original!.content).toContain(`<@${ben.id}>'s video`);
    expect(record.original!.content).toContain('beach.png');
    const [prediction] = world().replicate.predictions;
    expect(prediction!.input).toMatchObject({ prompt, negative_prompt: 'people' });
    expect(world().replicate.startImageBytes(prediction!.id)!.equals(onePixelPng)).toBe(true);
    await untilNoActiveJobs(world());
  });

  it("animates an embed's picture when the message has no attachment", async () => {
    const picture = world().discord.addAttachment({ bytes: onePixelPng, filename: 'hosted.png' });
    const posted = world().discord.postMessage({ user: amy, embeds: [{ type: 'image', thumbnail: { url: picture.url, width: 1, height: 1 } }] });

    const menu = await animate(world(), posted.id);
    const submit = world().discord.submitModal({ from: menu, user: ben, fields: { prompt: 'it wobbles' } });
    await readyPing(world(), submit);

    const [prediction] = world().replicate.predictions;
    expect(prediction!.input.prompt).toBe('it wobbles');
    expect(prediction!.input).not.toHaveProperty('negative_prompt');
    expect(world().replicate.startImageBytes(prediction!.id)!.equals(onePixelPng)).toBe(true);
    await untilNoActiveJobs(world());
  });

  it('a form sent after a restart looks the message up again and still animates its image', async () => {
    const photo = world().discord.addAttachment({ bytes: onePixelPng, filename: 'cliff.png' });
    const posted = world().discord.postMessage({ user: amy, attachments: [photo] });
    const menu = await animate(world(), posted.id);

    await world().restart();
    const submit = world().discord.submitModal({ from: menu, user: ben, fields: { prompt: 'birds take off' } });
    await readyPing(world(), submit);

    const lookups = world().discord.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/messages/${posted.id}`));
    expect(lookups).toHaveLength(1);
    const [prediction] = world().replicate.predictions;
    expect(world().replicate.startImageBytes(prediction!.id)!.equals(onePixelPng)).toBe(true);
    await untilNoActiveJobs(world());
  });
});
