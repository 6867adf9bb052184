import { describe, expect, it } from 'vitest';
import { pressAgain } from '../harness/again-steps.js';
import { onePixelPng } from '../harness/png.js';
import { useWorld } from '../harness/use-world.js';
import { buttonIds, readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld();

describe('Remix on a video delivered before a restart', () => {
  it("opens the form prefilled with the original's prompts; its submit is a new job with the edits and the rest of the original", async () => {
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'owl.png' });
    const asked = world().discord.sendSlashCommand({
      name: 'video',
      user: amy,
      options: { prompt: 'an owl turns its head', negative_prompt: 'blur', image, aspect_ratio: '9:16', duration: 10 },
    });
    const delivered = (await readyPing(world(), asked)).original!;
    await untilNoActiveJobs(world());
    await world().restart();

    const press = pressAgain(world(), delivered, 'remix', ben);
    await world().discord.waitFor((d) => d.interaction(press.id).ackType !== undefined, { description: 'the press answered' });
    expect(world().discord.interaction(press.id).ackType).toBe(9);
    const inputs = world().discord.modalInputs(press.id);
    expect(inputs.map(({ customId, required, value }) => ({ customId, required, value }))).toEqual([
      { customId: 'prompt', required: true, value: 'an owl turns its head' },
      { customId: 'negative_prompt', required: false, value: 'blur' },
    ]);

    const submit = world().discord.submitModal({
      from: press,
      user: ben,
      fields: { prompt: ' an owl turns its head and  winks ', negative_prompt: '' },
    });
    const remixed = await readyPing(world(), submit, { description: "the remix's ping" });

    expect(remixed.ackType).toBe(5);
    expect(remixed.ephemeral).toBe(false);
    expect(remixed.original!.content).toContain(`<@${ben.id}>'s video`);
    const [, second] = world().replicate.predictions;
    const { start_image: _image, ...input } = second!.input;
    expect(input).toEqual({ prompt: 'an owl turns its head and  winks', aspect_ratio: '9:16', duration: 10 });
    expect(world().replicate.startImageBytes(second!.id)!.equals(onePixelPng)).toBe(true);
    // The delivered message keeps its video and its buttons.
    const kept = world().discord.interaction(asked.id).original!;
    expect(kept.attachments[0]!.bytes.equals(delivered.attachments[0]!.bytes)).toBe(true);
    expect(buttonIds(kept)).toEqual(buttonIds(delivered));
    await untilNoActiveJobs(world());
  });
});
