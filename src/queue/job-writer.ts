import type { Job } from './job.js';
import type { JobStore } from './ports.js';

/**
 * Serializes writes per job: each save of a job waits for the previous one, so two writers (the pump and a
 * cancel, say) never race on one record and the last state written is the last state decided. keyv has no
 * compare-and-set, so this in-process chain is the only guard (see reference/keyv.md §5-6).
 */
export interface JobWriter {
  /** Resolves once this version of the job is durable (and every earlier save of it has settled). */
  save(job: Job): Promise<void>;
  /** Resolves when every save issued so far has settled. */
  flush(): Promise<void>;
}

export function createJobWriter(store: JobStore): JobWriter {
  const chains = new Map<string, Promise<void>>();
  return {
    save(job) {
      const previous = chains.get(job.id) ?? Promise.resolve();
      const next = previous.then(
        () => store.saveJob(job),
        () => store.saveJob(job),
      );
      chains.set(job.id, next);
      const forget = () => {
        if (chains.get(job.id) === next) chains.delete(job.id);
      };
      next.then(forget, forget);
      return next;
    },
    async flush() {
      await Promise.allSettled([...chains.values()]);
    },
  };
}
