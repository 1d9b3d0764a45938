/**
 * A PostgreSQL database of its own for a test run: created on first use, dropped when the run ends.
 * The server is the project's machines' local one (trust authentication); SEATKIT_TEST_PG names
 * another (a connection string to any database of it, used to create and drop the test database).
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const ADMIN_URL = process.env.SEATKIT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new empty database; `drop()` ends every connection to it and removes it. */
export async function freshDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `seatkit_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (start it, or set SEATKIT_TEST_PG): ${(error as Error).message}`, { cause: error });
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.end();
    },
  };
}

/** Forgets every rate-limit window of a test database. */
export async function clearRateLimits(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DELETE FROM seatkit_rate_limits');
  } finally {
    await client.end();
  }
}
