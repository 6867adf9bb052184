/**
 * The part of `pg` (8.x) this store uses; the package ships no types and @types/pg is not a dependency.
 * See node_modules/pg/lib/index.js and pg-pool/index.js.
 */
declare module 'pg' {
  import type { EventEmitter } from 'node:events';

  export interface PoolConfig {
    connectionString?: string;
    /** ms to wait for a connection before the query rejects (0: forever). */
    connectionTimeoutMillis?: number;
    /** ms a query may run, measured by the client, before it rejects. */
    query_timeout?: number;
    max?: number;
  }

  export interface QueryResult {
    rows: unknown[];
  }

  export class Pool extends EventEmitter {
    constructor(config?: PoolConfig);
    query(text: string, values?: unknown[]): Promise<QueryResult>;
    end(): Promise<void>;
    on(event: 'error', listener: (err: Error) => void): this;
  }

  const pg: { Pool: typeof Pool };
  export default pg;
}
