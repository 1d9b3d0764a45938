#!/usr/bin/env node
/**
 * `npm run migrate` (built: `node dist/server/migrate.js`): creates or migrates the PostgreSQL
 * schema at DATABASE_URL and exits. The server also migrates at start; this is for deploying the
 * schema before the processes (safe to run while they run: it takes the same lock).
 */
import pg from 'pg';
import { migrate } from './store/postgres/migrate.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('seatkit migrate: set DATABASE_URL (postgres://user@host:5432/database)');
  process.exit(1);
}
const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
try {
  const applied = await migrate(pool, (line) => console.log(line));
  console.log(applied.length === 0 ? 'seatkit migrate: the schema is up to date' : `seatkit migrate: applied ${applied.join(', ')}`);
} catch (error) {
  console.error(`seatkit migrate: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
