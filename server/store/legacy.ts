/**
 * Data folders written by seatkit 0.1 kept each account as two files, `accounts/<id>.log` (a
 * journal that was never shortened, with every audit event) and `accounts/<id>.json` (a
 * checkpoint). They are converted once, at start-up, to the account folder of today: built aside
 * (`<id>.tmp/`), renamed into place, and only then are the old files removed, so a crash at any
 * point leaves either the old files or the new folder to start from.
 */
import { join } from 'node:path';
import type { AuditEvent } from '../../sdk/types.js';
import { EventFiles } from './event-files.js';
import { CorruptDataError, scanLines, writeFileAtomic, type FileSystem } from './fs.js';
import { UsageReplay } from '../domain/usage.js';
import { checkCheckpoint, segmentName, type Checkpoint, type StoredDoc } from './records.js';

type Entries = { set: Record<string, unknown>; del: string[] };

interface LegacyRecord {
  s: number;
  d?: StoredDoc;
  f?: Partial<StoredDoc>;
  m?: { users?: Entries; sessions?: Entries; idempotency?: Entries };
  e: AuditEvent[];
}

/** A 0.1 document while its journal is replayed (users by id, so a change costs one entry). */
interface Working {
  fields: Omit<StoredDoc, 'users'>;
  users: Map<string, StoredDoc['users'][number]>;
}

function working(doc: StoredDoc): Working {
  const { users, ...fields } = doc;
  return { fields, users: new Map(users.map((u) => [u.id, u])) };
}

function apply(doc: Working | undefined, record: LegacyRecord, path: string, line: number): Working {
  if (record.d) return working(record.d);
  if (!doc) throw new CorruptDataError(path, `line ${line}: the journal starts without the account`);
  const { users, ...fields } = record.f ?? {};
  const next: Working = { fields: { ...doc.fields, ...fields }, users: doc.users };
  if (users) next.users = new Map(users.map((u) => [u.id, u]));
  for (const [id, user] of Object.entries(record.m?.users?.set ?? {})) next.users.set(id, user as StoredDoc['users'][number]);
  for (const field of ['sessions', 'idempotency'] as const) {
    const change = record.m?.[field];
    if (!change) continue;
    const map: Record<string, unknown> = { ...next.fields[field] };
    for (const [key, value] of Object.entries(change.set)) Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    for (const key of change.del) delete map[key];
    (next.fields as Record<string, unknown>)[field] = map;
  }
  return next;
}

async function exists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.readdir(path);
    return true;
  } catch {
    return false;
  }
}

export async function migrateLegacyAccount(fs: FileSystem, folder: string, id: string, log: (line: string) => void): Promise<void> {
  const journal = join(folder, `${id}.log`);
  const checkpointPath = join(folder, `${id}.json`);
  const target = join(folder, id);
  const removeOld = async () => {
    await fs.unlink(journal).catch(() => {});
    await fs.unlink(checkpointPath).catch(() => {});
  };
  // Converted before, and stopped before the old files were removed.
  if (await exists(fs, target)) return removeOld();

  let saved: { seq: number; doc: StoredDoc } | undefined;
  try {
    const text = await fs.readFile(checkpointPath);
    const data = JSON.parse(text) as { format?: unknown; seq?: unknown; doc?: StoredDoc };
    if (data?.format !== 1 || typeof data.seq !== 'number' || typeof data.doc?.id !== 'string') throw new Error('not a checkpoint');
    saved = { seq: data.seq, doc: data.doc };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CorruptDataError(checkpointPath, `the file is not a seatkit 0.1 checkpoint (${String((error as Error).message)})`);
  }

  const building = `${target}.tmp`;
  await fs.removeDir(building);
  await fs.mkdir(join(building, 'journal'));
  const events = await EventFiles.open(fs, join(building, 'events'), { repairable: 0, log });
  let doc = saved && working(saved.doc);
  let seq = 0;
  const usage = new UsageReplay();
  try {
    await scanLines(fs, journal, (line, lineNumber) => {
      let record: LegacyRecord;
      try {
        record = JSON.parse(line) as LegacyRecord;
      } catch {
        throw new CorruptDataError(journal, `line ${lineNumber} is not valid JSON`);
      }
      if (record?.s !== seq + 1 || !Array.isArray(record.e)) throw new CorruptDataError(journal, `line ${lineNumber} is not the next journal record`);
      seq = record.s;
      events.append(record.e);
      for (const event of record.e) usage.add(event);
      if (!saved || seq > saved.seq) doc = apply(doc, record, journal, lineNumber);
    });
    await events.sync();
  } finally {
    await events.close();
  }
  if (saved && seq < saved.seq) throw new CorruptDataError(journal, `the journal ends at ${seq} but the checkpoint is at ${saved.seq} (truncated journal)`);
  if (!doc) throw new CorruptDataError(journal, 'the journal is empty');
  const checkpoint: Checkpoint = { format: 2, seq, eventCount: events.count, doc: { ...doc.fields, users: [...doc.users.values()], usage: Object.fromEntries(usage.days) } };
  const problem = checkCheckpoint(checkpoint);
  if (problem || checkpoint.doc.id !== id) throw new CorruptDataError(journal, `the account it holds is not valid (${problem ?? `it is ${checkpoint.doc.id}`})`);
  await writeFileAtomic(fs, join(building, 'checkpoint.json'), JSON.stringify(checkpoint));
  await writeFileAtomic(fs, join(building, 'journal', segmentName(seq + 1)), '');
  await fs.rename(building, target);
  await fs.syncDir(folder);
  await removeOld();
  log(`${journal}: converted to the account folder ${target} (${seq} changes, ${events.count} audit events)`);
}
