/**
 * The users of an account as CSV, streamed: rows are written a chunk at a time from the account's
 * (immutable) state, so a 10,000-user export never sits in memory whole. A cell that a spreadsheet
 * would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading `'`.
 */
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { UserRecord } from './domain/state.js';

export const USERS_CSV_COLUMNS = ['email', 'firstName', 'lastName', 'role', 'qualification', 'status', 'lastActiveAt', 'licenseAssignedAt', 'externalId'] as const;

const ROWS_PER_CHUNK = 500;
const FORMULA = /^[=+\-@\t\r]/;

function guard(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

function chunk(users: readonly UserRecord[], header: boolean): string {
  return stringify(
    users.map((user) => USERS_CSV_COLUMNS.map((column) => user[column] ?? '')),
    { header, columns: header ? [...USERS_CSV_COLUMNS] : undefined, cast: { string: guard }, record_delimiter: 'windows' },
  );
}

/** The CSV of `users` (a header first), as a stream of UTF-8 chunks. */
export function usersCsv(users: readonly UserRecord[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      const rows = users.slice(next, next + ROWS_PER_CHUNK);
      controller.enqueue(encoder.encode(chunk(rows, next === 0)));
      next += ROWS_PER_CHUNK;
      if (next >= users.length) controller.close();
    },
  });
}
