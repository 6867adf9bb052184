import type { KeyvStoreAdapter } from 'keyv';
import type { Fence } from './backend.js';
import { StoreError } from './store-error.js';

/**
 * A backend's writes of keyv's rows (keys as keyv gives them to its adapter, values serialized by keyv), each done
 * in one atomic step with a check of the owner's fence: refused when a lease grant later than `fence.token` exists.
 */
export interface FencedWrites {
  /** false: refused (a later grant exists), nothing written. `ttlMs` as keyv gives it to its adapter. */
  set(fence: Fence, key: string, value: string, ttlMs: number | undefined): Promise<boolean>;
  /** `fenced`: refused, nothing deleted; otherwise whether any of `keys` was there. */
  delete(fence: Fence, keys: string[]): Promise<boolean | 'fenced'>;
}

export function fencedError(fence: Fence): StoreError {
  return new StoreError(`the store refused a write of '${fence.owner}': another bot process holds its lease now`, {
    kind: 'fenced',
  });
}

/**
 * `adapter` with its writes made through `writes` under `fence` (a refused one rejects with a `fenced` StoreError);
 * reads and everything else are the adapter's own. keyv writes one entry at a time through it (no setMany).
 */
export function fencedAdapter(adapter: KeyvStoreAdapter, fence: Fence, writes: FencedWrites): KeyvStoreAdapter {
  const set = async (key: string, value: string, ttl?: number) => {
    if (!(await writes.set(fence, key, value, ttl))) throw fencedError(fence);
    return true;
  };
  const remove = async (keys: string[]) => {
    const deleted = await writes.delete(fence, keys);
    if (deleted === 'fenced') throw fencedError(fence);
    return deleted;
  };
  const own: Record<string | symbol, unknown> = {
    set,
    delete: (key: string) => remove([key]),
    deleteMany: (keys: string[]) => (keys.length === 0 ? Promise.resolve(false) : remove(keys)),
    setMany: undefined,
  };
  return new Proxy(adapter, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(own, prop)) return own[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
