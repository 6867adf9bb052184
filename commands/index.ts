import type { Command } from './types.js';
import * as video from './video.js';
import * as videoAdmin from './video-admin.js';

/** Every slash command the bot offers: shared by the interaction router and the registration. */
export const commands: readonly Command[] = [video, videoAdmin];

export function commandDefinitions() {
  return commands.map((command) => command.data.toJSON());
}
