/** Resident-memory probes for Linux: own RSS and peak (VmHWM, resettable), and child processes by name. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

function statusField(pid: number | 'self', field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets this process's peak RSS (VmHWM) to its current RSS; false where unsupported. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS of this process since start or the last resetPeakRss(), in bytes. */
export const peakRss = (): number | undefined => statusField('self', 'VmHWM');

/** Direct children of this process with their command name. */
export function children(): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  try {
    for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
      const list = readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim();
      for (const pid of list ? list.split(/\s+/).map(Number) : []) {
        try {
          found.push({ pid, comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() });
        } catch {
          // exited meanwhile
        }
      }
    }
  } catch {
    // not Linux
  }
  return found;
}

/**
 * Samples this process's RSS (and the peak RSS of children named `childName`) every `everyMs` until stopped.
 * The timer cannot fire while the event loop is blocked, so the VmHWM reading is the authoritative peak.
 */
export function startSampler(everyMs: number, childName?: string) {
  let maxRss = process.memoryUsage().rss;
  let samples = 0;
  const childPeaks = new Map<number, number>();
  const timer = setInterval(() => {
    samples++;
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    if (!childName) return;
    for (const child of children()) {
      if (child.comm !== childName) continue;
      const hwm = statusField(child.pid, 'VmHWM');
      if (hwm !== undefined) childPeaks.set(child.pid, Math.max(childPeaks.get(child.pid) ?? 0, hwm));
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { maxRss, samples, childPeaks: [...childPeaks.values()] };
    },
  };
}

export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}
