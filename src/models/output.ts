/**
 * The video URL in a prediction's `output`: models return one URI string, or an array of them that may also hold a
 * preview image or a sound track. An array's video is picked by its file extension, else its last URI that is not an
 * image or a sound; nothing when there is no such URI (the job then fails as having no video).
 */
const video = /\.(mp4|webm|mov|m4v|mkv)$/i;
const notVideo = /\.(png|jpe?g|webp|gif|avif|wav|mp3|m4a|ogg|flac|aac|txt|json)$/i;

const pathOf = (url: string) => url.replace(/[?#].*$/, '');

export function videoUrlOf(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return undefined;
  const urls = output.filter((u): u is string => typeof u === 'string');
  return urls.find((u) => video.test(pathOf(u))) ?? urls.findLast((u) => !notVideo.test(pathOf(u)));
}
