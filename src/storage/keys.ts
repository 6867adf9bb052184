/** Key names shared by the job store and the layout change (both in this storage module). */

/** An owner's active index: ids of its jobs not yet finished. */
export function activeIndexKey(owner: string): string {
  return `jobs:active:${owner}`;
}

/** An owner's list of kept images whose time is up on `day` (or, for `days`, the days that have one). */
export function keptImagesKey(owner: string, day: string): string {
  return owner === 'main' ? `images:kept:${day}` : `images:kept:${owner}:${day}`;
}
