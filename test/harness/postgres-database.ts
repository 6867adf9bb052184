import { randomUUID } from 'node:crypto';

/**
 * A database of the test's own on TEST_POSTGRES_URL's server: the lease table and the job index other files' stores
 * use must not see this test's owners (`main`, `shard-<id>`).
 */
export class PostgresDatabase {
  private constructor(
    private readonly serverUrl: string,
    private readonly name: string,
  ) {}

  static async create(serverUrl: string, prefix = 'bot_e2e'): Promise<PostgresDatabase> {
    const db = new PostgresDatabase(serverUrl, `${prefix}_${randomUUID().slice(0, 8)}`);
    await db.admin(`CREATE DATABASE ${db.name}`);
    return db;
  }

  get url(): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  async drop(): Promise<void> {
    await this.admin(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: this.serverUrl });
    try {
      await pool.query(sql);
    } finally {
      await pool.end();
    }
  }
}
