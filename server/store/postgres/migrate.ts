/**
 * The schema of the PostgreSQL store: plain SQL files in `migrations/`, applied in name order,
 * each once (recorded in `seatkit_migrations`), each in its own transaction. An advisory lock makes
 * it safe for several processes starting at once: one applies, the others wait and find it done.
 */
import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';

/** Any fixed number: the advisory lock the migrating process holds. */
const MIGRATION_LOCK = 0x5ea7_0001;

const folder = new URL('./migrations/', import.meta.url);

export async function migrate(pool: pg.Pool, log: (line: string) => void = () => {}): Promise<string[]> {
  const files = (await readdir(folder)).filter((name) => /^\d+_[\w-]+\.sql$/.test(name)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS seatkit_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM seatkit_migrations')).rows.map((r) => r.name));
    for (const name of files) {
      if (done.has(name)) continue;
      const sql = await readFile(new URL(name, folder), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO seatkit_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
      log(`postgres: applied migration ${name}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}
