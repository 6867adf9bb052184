import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/keyv-store.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';

const postgresUrl = process.env.TEST_POSTGRES_URL;

/** PostgreSQL reached through a proxy the test cuts: connections drop and new ones fail, as when the server stops. */
describe.skipIf(!postgresUrl)(
  postgresUrl ? 'STORAGE_URL=postgresql://' : 'STORAGE_URL=postgresql:// (skipped: TEST_POSTGRES_URL is not set)',
  () => {
    let proxy: TcpProxy;
    // A database of its own: the bot is owner 'main', whose index and lease other files' stores must not see.
    const database = `bot_e2e_${randomUUID().slice(0, 8)}`;
    const direct = () => {
      const url = new URL(postgresUrl!);
      url.pathname = `/${database}`;
      return url.toString();
    };
    const throughProxy = () => {
      const url = new URL(direct());
      url.host = `127.0.0.1:${proxy.port}`;
      return url.toString();
    };
    beforeAll(async () => {
      await admin(`CREATE DATABASE ${database}`);
      const target = new URL(postgresUrl!);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    });
    afterAll(async () => {
      await proxy?.close();
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });
    const world = useWorld(() => ({ env: { STORAGE_URL: throughProxy() } }));

    it('a job survives PostgreSQL going away mid-job: delivered once it is back, one prediction, nothing lost', async () => {
      const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 5)]);
      world().replicate.script({ durationMs: 2_000, output: video });
      const sent = requestVideo(world(), { id: '223456789012345678', username: 'bo' }, 'a lantern on a lake');
      await replyShowing(world(), sent, /Generating/);

      proxy.cut();
      world().clock.jump(5_000);
      await world().logs.waitFor('job write failed, retrying', { timeoutMs: 30_000 });
      expect(world().discord.interaction(sent.id).original?.attachments ?? []).toEqual([]);

      proxy.restore();
      const record = await readyPing(world(), sent, { timeoutMs: 30_000 });
      expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
      expect(record.followUps).toHaveLength(1);
      expect(world().replicate.predictions).toHaveLength(1);

      // The record follows the ping: wait for it rather than race it.
      const done = await world().logs.waitFor('job done');
      await world().bot.stop();
      const store = await openStore(direct(), pino({ level: 'silent' }));
      try {
        expect(await store.listActiveJobs()).toEqual([]);
        expect(await store.getJob(done.jobId as string)).toMatchObject({ state: 'done', delivery: 'attachment' });
      } finally {
        await store.close();
      }
    }, 60_000);
  },
);

async function admin(sql: string): Promise<void> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: postgresUrl });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}
