import type { Clock } from '../src/clock.js';
import * as animateImage from './animate-image.js';
import * as queue from './queue.js';
import { regenerateButton } from './regenerate.js';
import { remixButton, remixModal } from './remix.js';
import type { Command, CommandData } from './types.js';
import * as usage from './usage.js';
import * as video from './video.js';
import * as videoAdmin from './video-admin.js';

/** Every slash command the bot offers: shared by the interaction router and the registration. */
export const commands: readonly Command[] = [video, videoAdmin, usage, queue];

/** Every message context menu (right-click a message → Apps), for the registration. */
export const messageCommandData: readonly CommandData[] = [animateImage.data];

export function commandDefinitions() {
  return [...commands.map((command) => command.data), ...messageCommandData].map((data) => data.toJSON());
}

/**
 * The handlers of one bot besides its slash commands: context menus, and the buttons and forms routed by custom_id
 * prefix. Made per bot (the menu remembers what it saw for its form's submit; two bots share nothing).
 */
export function createInteractionHandlers(clock: Clock) {
  const animate = animateImage.createAnimateImage(clock);
  return {
    messageCommands: [animate.menu],
    buttons: [regenerateButton, remixButton],
    modals: [animate.modal, remixModal],
  };
}
