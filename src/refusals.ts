import { keptImageDays } from './queue/job-input.js';

/**
 * What a member is told when a request or an action is refused. Codes are stable: they key the text and the tests.
 * Every refusal is sent ephemerally, before anything slow happens.
 */
export type RefusalCode =
  | 'guild-only'
  | 'empty-prompt'
  | 'prompt-too-long'
  | 'not-an-image'
  | 'image-too-large'
  | 'bad-option'
  | 'queue-full'
  | 'pending-limit'
  | 'shutting-down'
  | 'store-unavailable'
  | 'not-allowed-to-cancel'
  | 'manage-server-only'
  | 'job-not-found'
  | 'already-finished'
  | 'bot-cannot-view-channel'
  | 'bot-cannot-send-messages'
  | 'bot-cannot-attach-files'
  | 'bot-cannot-embed-links'
  | 'bot-cannot-read-history'
  | 'no-image'
  | 'image-not-found'
  | 'input-forgotten'
  | 'input-expired';

export const maxPromptLength = 2500;
export const maxImageBytes = 10 * 1024 * 1024;

const missing = (permission: string) =>
  `I can't post videos in this channel: I'm missing the ${permission} permission here. ` +
  'Ask a server admin to give it to me, or use /video in another channel.';

const texts: Record<RefusalCode, string> = {
  'guild-only': '/video works in a server, not in direct messages.',
  'empty-prompt': 'Please describe the video you want: the prompt is empty.',
  'prompt-too-long': `The prompt is too long: keep it under ${maxPromptLength} characters.`,
  'not-an-image': 'The attachment must be a PNG, JPEG or WebP image.',
  'image-too-large': 'The image is larger than 10 MB. Please attach a smaller one.',
  'bad-option': 'One of the options is not valid. Please check them and try again.',
  'queue-full': 'The queue for this server is full right now. Please try again in a few minutes.',
  'pending-limit': 'You already have the most videos allowed waiting or in progress. Wait for one to finish first.',
  'shutting-down': 'The bot is restarting. Please try again in a minute.',
  'store-unavailable': "The bot can't save new requests right now (its storage is not answering). Please try again in a minute.",
  'not-allowed-to-cancel': 'Only the member who asked for this video or a moderator (Manage Server) can cancel it.',
  'manage-server-only': 'Only members with Manage Server (or Administrator) in this server can use this command.',
  'job-not-found': 'That video request no longer exists.',
  'already-finished': 'That video is already finished or being delivered, so it can no longer be canceled.',
  'bot-cannot-view-channel': missing('View Channel'),
  'bot-cannot-send-messages': missing('Send Messages'),
  'bot-cannot-attach-files': missing('Attach Files'),
  'bot-cannot-embed-links': missing('Embed Links'),
  'bot-cannot-read-history': missing('Read Message History'),
  'no-image':
    'That message has no image I can animate. Use Animate image on a message with a PNG, JPEG or WebP picture ' +
    '(an attachment or an embed image).',
  'image-not-found':
    "I can't find that message's image any more (the message was changed or deleted, or the bot restarted while " +
    'the form was open). Please use Animate image on it again.',
  'input-forgotten':
    "That video's prompt and image were deleted at its creator's request, so it can't be regenerated or remixed.",
  'input-expired':
    `That video's prompt or image is no longer kept (images are kept ${keptImageDays} days after delivery), so it ` +
    "can't be regenerated or remixed. Please use /video to make a new one.",
};

export function refusalText(code: RefusalCode): string {
  return texts[code];
}
