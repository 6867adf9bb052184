import { describe, expect, it } from 'vitest';
import { ephemeralAnswer } from '../harness/again-steps.js';
import { useWorld } from '../harness/use-world.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld();

describe('Animate image on a message it cannot animate', () => {
  it('explains privately, with no form, on a message without an image', async () => {
    const posted = world().discord.postMessage({ user: amy, content: 'just words here' });

    const menu = world().discord.sendMessageCommand({ name: 'Animate image', message: posted.id, user: ben });
    const text = await ephemeralAnswer(world(), menu);

    expect(text).toBe(
      'That message has no image I can animate. Use Animate image on a message with a PNG, JPEG or WebP picture ' +
        '(an attachment or an embed image).',
    );
    expect(world().discord.interaction(menu.id).modal).toBeUndefined();
    expect(world().replicate.predictions).toHaveLength(0);
  });

  it('refuses a GIF plainly, with no form', async () => {
    const gif = world().discord.addAttachment({ bytes: Buffer.from('GIF89a....'), filename: 'dance.gif' });
    const posted = world().discord.postMessage({ user: amy, attachments: [gif] });

    const text = await ephemeralAnswer(world(), world().discord.sendMessageCommand({ name: 'Animate image', message: posted.id, user: ben }));

    expect(text).toBe('The attachment must be a PNG, JPEG or WebP image.');
  });
});
