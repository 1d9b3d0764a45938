/**
 * The durable file store (docs/storage.md, server/store/file.ts): what survives a restart, group commit,
 * the files it keeps (always valid), one process per data folder, stale locks, damaged files,
 * a torn journal tail, failed writes (503, nothing applied) and a graceful SIGTERM.
 *
 * Every test works in its own temporary folder. Failures are injected through the store's
 * FileSystem seam (server/store/fs.ts); the process tests spawn the real server (server/node.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Account, AuditEvent, Invoice, PageBody, User } from '../../sdk/types.js';
import { start } from '../../server/node.js';
import { FileStore } from '../../server/store/file.js';
import { CorruptDataError, nodeFileSystem } from '../../server/store/fs.js';
import { DataLockedError } from '../../server/store/lock.js';
import { API_KEY, isProblem, makeFileHarness, ManualClock, type FileHarness, type Reply } from '../helpers/api.js';
import { errno, faultyFs, isJournal } from '../helpers/faulty-fs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = '2026-05-15T00:00:00.000Z';
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Folders

const folders: string[] = [];
after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary data folder, removed after the tests. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seatkit-file-store-'));
  folders.push(dir);
  return dir;
}

/** Every file under `dir`, relative paths, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/**
 * Checks every file the store keeps: each `*.json` is one compact JSON document (no newline, no
 * indentation), each `*.log` is complete JSON lines ending with a newline. Returns what it checked.
 */
async function assertValidFiles(dir: string): Promise<{ json: string[]; logs: string[] }> {
  const files = await listFiles(dir);
  const json = files.filter((f) => f.endsWith('.json'));
  const logs = files.filter((f) => f.endsWith('.log'));
  for (const name of json) {
    const text = await readFile(join(dir, name), 'utf8');
    assert.doesNotThrow(() => JSON.parse(text), `${name} is one JSON document`);
    assert.ok(!text.includes('\n'), `${name} has no line breaks`);
    assert.equal(text, JSON.stringify(JSON.parse(text)), `${name} is compact (no indentation)`);
  }
  for (const name of logs) {
    const text = await readFile(join(dir, name), 'utf8');
    if (text === '') continue;
    assert.ok(text.endsWith('\n'), `${name} ends with a complete line`);
    text
      .slice(0, -1)
      .split('\n')
      .forEach((line, i) => assert.doesNotThrow(() => JSON.parse(line), `${name} line ${i + 1} is JSON: ${line.slice(0, 80)}`));
  }
  assert.ok(!files.some((f) => f.endsWith('.tmp')), `no temp file is left behind: ${files.join(', ')}`);
  return { json, logs };
}

/**
 * Opens a copy of the folder as it is on disk right now (as a restart after a crash would), and
 * returns the account document there. The copy's lock (held by this process) is dropped.
 */
async function onDisk(dir: string, accountId: string) {
  const copy = await tempDir();
  // The lock is a socket of this process: not copied.
  await cp(dir, copy, { recursive: true, filter: (source) => !source.endsWith('seatkit.lock') });
  const store = await FileStore.open(copy);
  try {
    return { doc: await store.get(accountId), events: (await store.events(accountId, { limit: 1 })).total };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP reads through a harness

async function accountOf(h: FileHarness, base: string, token: string): Promise<Account> {
  const res = await h.request<Account>('GET', base, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function usersOf(h: FileHarness, base: string, token: string): Promise<User[]> {
  const res = await h.request<PageBody<User>>('GET', `${base}/users?limit=200&sort=email`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.nextCursor, null, 'the test expects every user on one page');
  return res.body.data;
}

async function eventsOf(h: FileHarness, base: string, token: string): Promise<PageBody<AuditEvent>> {
  const res = await h.request<PageBody<AuditEvent>>('GET', `${base}/events?limit=200`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function invoicesOf(h: FileHarness, base: string, token: string): Promise<Invoice[]> {
  const res = await h.request<PageBody<Invoice>>('GET', `${base}/invoices?limit=200`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data;
}

function invite(h: FileHarness, base: string, token: string, email: string): Promise<Reply> {
  return h.request('POST', `${base}/invitations`, { token, body: { email, firstName: email.split('@')[0], lastName: 'Test' } });
}

function tally(replies: { status: number; body?: { code?: string } }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of replies) {
    const key = r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** An account with room for many invites, its owner signed in (their activity already recorded). */
async function bigAccount(h: FileHarness, quantity = 200) {
  const acc = await h.createAccount({ licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' } });
  await accountOf(h, acc.base, acc.ownerToken);
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Child {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function serverEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SEATKIT_DB: dir,
    PORT: '0',
    SEATKIT_API_KEY: API_KEY,
    SEATKIT_LOG_REQUESTS: 'off',
    SEATKIT_RATE_LIMITS: 'off',
    SMTP_URL: '',
  };
}

function spawnServer(dir: string): { child: ChildProcess; output: () => string; exit: Child['exit'] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], { cwd: ROOT, env: serverEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => text, exit };
}

/** Starts the real server as a child process and waits for its "listening" line. */
async function startServer(dir: string): Promise<Child> {
  const { child, output, exit } = spawnServer(dir);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 20 s:\n${output()}`)), 20_000);
    const look = () => {
      const match = output().match(/seatkit API listening on (http:\/\/localhost:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${output()}`));
    });
  });
  return { child, url, output, exit };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pid of a process that has exited (so no process has it, barring reuse). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(child.pid);
  return child.pid;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// =============================================================================================

describe('file store: everything persists across a restart', () => {
  it('keeps accounts, users, sessions, idempotency keys, invoices, events and the test clock', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock });
    const acc = await h.createAccount({ testClock: { frozenTime: START } });
    const other = await h.createAccount({ name: 'Other Co', owner: { email: 'o2@other.example', firstName: 'Otto', lastName: 'Other' } });
    const ada = await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'bob@example.com', firstName: 'Bob', lastName: 'Pending' }, false);
    const advanced = await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: new Date(Date.parse(START) + 3 * DAY_MS).toISOString() });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body));
    const quote = await h.request('GET', `${acc.base}/licenses/quote?quantity=8`, { token: acc.ownerToken });
    assert.equal(quote.status, 200, JSON.stringify(quote.body));
    const purchase = { quantity: 8, acceptAgreement: true, expectedAmountDue: quote.body.amountDue };
    const bought = await h.request('POST', `${acc.base}/licenses`, { token: acc.ownerToken, body: purchase, headers: { 'Idempotency-Key': 'buy-3' } });
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.ok(bought.body.invoice, 'the purchase made an invoice');

    // Each session's first request records activity, committed within a second: do both now.
    for (const [base, token] of [[acc.base, ada.token!], [other.base, other.ownerToken], [acc.base, acc.ownerToken]] as const) await h.request('GET', base, { token });
    await h.app.jobs.run('activity');
    const before = {
      adaView: await accountOf(h, acc.base, ada.token!),
      other: await accountOf(h, other.base, other.ownerToken),
      account: await accountOf(h, acc.base, acc.ownerToken),
      users: await usersOf(h, acc.base, acc.ownerToken),
      events: await eventsOf(h, acc.base, acc.ownerToken),
      invoices: await invoicesOf(h, acc.base, acc.ownerToken),
    };
    assert.equal(before.invoices.length, 1);
    await h.close();

    h = await makeFileHarness(dir, { clock });
    // Sessions minted before the restart still work (owner, an activated user, another account).
    assert.deepEqual(await accountOf(h, acc.base, acc.ownerToken), before.account);
    assert.deepEqual(await accountOf(h, acc.base, ada.token!), before.adaView);
    assert.deepEqual(await accountOf(h, other.base, other.ownerToken), before.other);
    assert.equal(before.account.testClock?.now, new Date(Date.parse(START) + 3 * DAY_MS).toISOString(), 'the test clock kept its time');
    assert.equal(before.account.licenses.quantity, 8);
    assert.deepEqual(await usersOf(h, acc.base, acc.ownerToken), before.users);
    const events = await eventsOf(h, acc.base, acc.ownerToken);
    assert.equal(events.total, before.events.total, 'the audit log has as many events');
    assert.deepEqual(events.data, before.events.data);
    assert.deepEqual(await invoicesOf(h, acc.base, acc.ownerToken), before.invoices);

    // The idempotency key: a replay answers the first response and buys nothing more.
    const replay = await h.request('POST', `${acc.base}/licenses`, { token: acc.ownerToken, body: purchase, headers: { 'Idempotency-Key': 'buy-3' } });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(replay.body, bought.body);
    assert.equal((await invoicesOf(h, acc.base, acc.ownerToken)).length, 1, 'still one invoice');
    assert.equal((await accountOf(h, acc.base, acc.ownerToken)).licenses.quantity, 8);
    // The test clock moves on from where it was.
    const moved = await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: new Date(Date.parse(START) + 4 * DAY_MS).toISOString() });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await h.close();
  });

  it('keeps a pending invitation usable after a restart (its token is found again)', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock });
    const acc = await h.createAccount();
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'bob@example.com', firstName: 'Bob', lastName: 'Later' }, false);
    const token = await h.invitationToken('bob@example.com');
    await h.close();

    h = await makeFileHarness(dir, { clock });
    const lookup = await h.request('GET', `/v1/invitations/${encodeURIComponent(token)}`);
    assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    assert.equal(lookup.body.email, 'bob@example.com');
    const accepted = await h.request('POST', `/v1/invitations/${encodeURIComponent(token)}/accept`, { body: {} });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal((await accountOf(h, acc.base, accepted.body.token)).licenses.enabled, 2);
    await h.close();
  });
});

describe('file store: group commit', () => {
  it('writes 50 concurrent invites of one account with far fewer fsyncs than 50, and keeps every one', async (t: TestContext) => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { fs, clock });
    const acc = await bigAccount(h);
    const syncsBefore = control.count('sync');
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => invite(h, acc.base, acc.ownerToken, `user${i}@example.com`)));
    const syncs = control.count('sync') - syncsBefore;
    t.diagnostic(`50 concurrent invites: ${syncs} journal fsyncs`);
    console.log(`group commit: 50 concurrent invites → ${syncs} journal fsyncs`);
    assert.deepEqual(tally(replies), { 201: 50 });
    assert.ok(syncs < 50, `${syncs} fsyncs for 50 changes`);
    assert.ok(syncs >= 1);
    const ids = replies.map((r) => r.body.user.id as string);
    await h.close();

    h = await makeFileHarness(dir, { clock });
    const users = await usersOf(h, acc.base, acc.ownerToken);
    for (const id of ids) assert.ok(users.some((u) => u.id === id), `invited user ${id} is there after reopening`);
    assert.equal((await accountOf(h, acc.base, acc.ownerToken)).licenses.invited, 50);
    await h.close();
  });
});

/** The files of one account: its checkpoint, journal segments (oldest first) and audit-log parts. */
async function filesOf(dir: string, accountId: string) {
  const root = join(dir, 'accounts', accountId);
  const segments = (await readdir(join(root, 'journal'))).filter((n) => n.endsWith('.log')).sort().map((n) => join(root, 'journal', n));
  return { root, checkpoint: join(root, 'checkpoint.json'), segments, current: segments.at(-1)!, events: join(root, 'events') };
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  return text === '' ? 0 : text.split('\n').length - 1;
}

describe('file store: the files it keeps', () => {
  it('keeps every *.json compact and valid and every journal line valid; reopening replays to the same state', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock, checkpointEvery: 5, checkpointWeight: 0 });
    const acc = await bigAccount(h);
    for (let i = 0; i < 12; i++) await h.addUser(acc.accountId, acc.ownerToken, { email: `u${i}@example.com` }, i % 2 === 0);
    await h.app.jobs.run('activity');
    const before = { account: await accountOf(h, acc.base, acc.ownerToken), users: await usersOf(h, acc.base, acc.ownerToken) };
    await h.close();

    const { json, logs } = await assertValidFiles(dir);
    const files = await filesOf(dir, acc.accountId);
    assert.ok(json.includes(relative(dir, files.checkpoint)), `a checkpoint was written: ${json.join(', ')}`);
    assert.ok(logs.includes(relative(dir, files.current)));
    const checkpoint = JSON.parse(await readFile(files.checkpoint, 'utf8'));
    assert.ok(checkpoint.seq >= 5, `the checkpoint is at change ${checkpoint.seq}`);

    h = await makeFileHarness(dir, { clock, checkpointEvery: 5, checkpointWeight: 0 });
    assert.deepEqual(await accountOf(h, acc.base, acc.ownerToken), before.account);
    assert.deepEqual(await usersOf(h, acc.base, acc.ownerToken), before.users);
    // More changes after the reopen, then once more: still the same state, still valid files.
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'late@example.com' }, false);
    await h.app.jobs.run('activity');
    const later = { account: await accountOf(h, acc.base, acc.ownerToken), users: await usersOf(h, acc.base, acc.ownerToken) };
    await h.close();
    await assertValidFiles(dir);
    h = await makeFileHarness(dir, { clock });
    assert.deepEqual(await accountOf(h, acc.base, acc.ownerToken), later.account);
    assert.deepEqual(await usersOf(h, acc.base, acc.ownerToken), later.users);
    await h.close();
  });

  it('retires the journal segments a checkpoint covers, so the journal stays short while the audit log keeps everything', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock, checkpointEvery: 5, checkpointWeight: 0 });
    const acc = await bigAccount(h);
    const ada = await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@example.com' });
    const etag = async () => (await h.request('GET', `${acc.base}/users/${ada.user.id}`, { token: acc.ownerToken })).headers.get('ETag')!;
    for (let i = 0; i < 60; i++) {
      const res = await h.request('PATCH', `${acc.base}/users/${ada.user.id}`, { token: acc.ownerToken, body: { qualification: `Edit ${i}` }, headers: { 'If-Match': await etag() } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const events = await eventsOf(h, acc.base, acc.ownerToken);
    await h.close();
    const files = await filesOf(dir, acc.accountId);
    const journalLines = (await Promise.all(files.segments.map(lineCount))).reduce((a, b) => a + b, 0);
    assert.ok(files.segments.length <= 2, `old segments are retired: ${files.segments.map((f) => relative(dir, f)).join(', ')}`);
    assert.ok(journalLines <= 10, `${journalLines} journal lines on disk after 60+ changes`);
    assert.ok(events.total >= 62, `the audit log has every event (${events.total})`);

    h = await makeFileHarness(dir, { clock });
    const again = await eventsOf(h, acc.base, acc.ownerToken);
    assert.equal(again.total, events.total);
    assert.deepEqual(again.data, events.data);
    assert.equal((await h.request('GET', `${acc.base}/users/${ada.user.id}`, { token: acc.ownerToken })).body.qualification, 'Edit 59');
    await h.close();
  });

  it('waits for a journal as large as the last checkpoint before writing the next (a large account is not rewritten every few changes)', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock, checkpointEvery: 5 });
    const acc = await bigAccount(h);
    for (let i = 0; i < 30; i++) await h.addUser(acc.accountId, acc.ownerToken, { email: `p${i}@example.com` });
    await h.close();
    const { checkpoint } = await filesOf(dir, acc.accountId);
    const seqOf = async () => (JSON.parse(await readFile(checkpoint, 'utf8')) as { seq: number }).seq;
    const first = await seqOf();
    const size = (await stat(checkpoint)).size;
    // The journal since that checkpoint: the segments after it (their first change follows it).
    const journalBytes = async () => {
      const { segments } = await filesOf(dir, acc.accountId);
      const sizes = await Promise.all(segments.filter((f) => Number.parseInt(f.slice(-16), 10) > first).map(async (f) => (await stat(f)).size));
      return sizes.reduce((a, b) => a + b, 0);
    };

    h = await makeFileHarness(dir, { clock, checkpointEvery: 5 });
    const ada = (await usersOf(h, acc.base, acc.ownerToken)).find((u) => u.email === 'p0@example.com')!;
    let edits = 0;
    const edit = async () => {
      const etag = (await h.request('GET', `${acc.base}/users/${ada.id}`, { token: acc.ownerToken })).headers.get('ETag')!;
      const res = await h.request('PATCH', `${acc.base}/users/${ada.id}`, { token: acc.ownerToken, body: { qualification: `Edit ${edits++}` }, headers: { 'If-Match': etag } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    // Well short of the checkpoint's size (a line is far smaller than 2 KB): far more than 5 lines, no checkpoint.
    while ((await journalBytes()) + 2048 < size) await edit();
    assert.ok(edits >= 10, `${edits} changes made (the checkpoint: ${size} bytes)`);
    assert.equal(await seqOf(), first, `no checkpoint after ${edits} changes: the journal (${await journalBytes()} bytes) is smaller than the checkpoint (${size} bytes)`);
    // Past it: the next change writes one (close waits for it).
    while ((await journalBytes()) < size) await edit();
    await edit();
    await h.close();
    assert.ok((await seqOf()) > first, 'a journal as large as the checkpoint calls for the next one');
    h = await makeFileHarness(dir, { clock });
    assert.equal((await h.request('GET', `${acc.base}/users/${ada.id}`, { token: acc.ownerToken })).body.qualification, `Edit ${edits - 1}`);
    await h.close();
  });

  it('does not retry a failed checkpoint at once: a full disk is not written to in a loop, and changes go on', async () => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    const isCheckpoint = (path: string) => /checkpoint\.json\.[^/\\]+\.tmp$/.test(path);
    control.fault = (call) => (call.op === 'open' && isCheckpoint(call.path) ? { error: errno('ENOSPC') } : undefined);
    const logged: string[] = [];
    const h = await makeFileHarness(dir, { fs, checkpointEvery: 2, checkpointWeight: 0, log: (line) => logged.push(line) });
    const acc = await bigAccount(h);
    for (let i = 0; i < 12; i++) await h.addUser(acc.accountId, acc.ownerToken, { email: `full${i}@example.com` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const tries = control.count('open', isCheckpoint);
    assert.equal(tries, 1, `${tries} checkpoints tried within a moment of the first failing`);
    assert.equal(logged.filter((line) => line.includes('checkpoint of')).length, 1, logged.join('\n'));
    assert.match(logged.find((line) => line.includes('checkpoint of'))!, /tried again in 10 s/);
    await h.close();
    // The journal kept every change: all 12 are there after a start without the fault.
    const again = await makeFileHarness(dir, {});
    assert.equal((await usersOf(again, acc.base, acc.ownerToken)).filter((u) => u.email.startsWith('full')).length, 12);
    await again.close();
  });

  it('reads no journal or audit-log file whole (start-up streams them, however large)', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock });
    const acc = await bigAccount(h);
    for (let i = 0; i < 5; i++) await invite(h, acc.base, acc.ownerToken, `u${i}@example.com`);
    const before = await eventsOf(h, acc.base, acc.ownerToken);
    await h.close();
    const { fs } = faultyFs();
    const whole: string[] = [];
    fs.readFile = async (path) => {
      if (path.endsWith('.log')) whole.push(path);
      return nodeFileSystem.readFile(path);
    };
    h = await makeFileHarness(dir, { clock, fs });
    assert.deepEqual(await eventsOf(h, acc.base, acc.ownerToken), before);
    await h.close();
    assert.deepEqual(whole, [], 'no .log file was read as one string');
  });

  it('pages the audit log and a user history from disk across sealed parts, after a restart too', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock, eventsPerPart: 4 });
    const acc = await bigAccount(h);
    const people: { user: User }[] = [];
    for (let i = 0; i < 3; i++) people.push(await h.addUser(acc.accountId, acc.ownerToken, { email: `p${i}@example.com` }));
    for (let round = 0; round < 5; round++) {
      for (const person of people) {
        const user = (await h.request('GET', `${acc.base}/users/${person.user.id}`, { token: acc.ownerToken })).headers.get('ETag')!;
        const res: Reply = await h.request('PATCH', `${acc.base}/users/${person.user.id}`, { token: acc.ownerToken, body: { qualification: `Round ${round}` }, headers: { 'If-Match': user } });
        assert.equal(res.status, 200);
      }
    }
    /** Every page of a list, by its cursors. */
    const all = async (path: string) => {
      const items: AuditEvent[] = [];
      let cursor: string | null = '';
      let total = -1;
      while (cursor !== null) {
        const res: Reply<PageBody<AuditEvent>> = await h.request('GET', `${path}?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: acc.ownerToken });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        items.push(...res.body.data);
        total = res.body.total;
        cursor = res.body.nextCursor;
      }
      assert.equal(items.length, total);
      return items;
    };
    const log = await all(`${acc.base}/events`);
    const histories = await Promise.all(people.map((p) => all(`${acc.base}/users/${p.user.id}/events`)));
    for (const [i, history] of histories.entries()) {
      assert.deepEqual(history, log.filter((e) => e.userIds.includes(people[i]!.user.id)), `history of p${i} is its events, newest first`);
      assert.equal(history.filter((e) => e.action === 'user.updated').length, 5);
    }
    await h.close();
    const parts = await readdir((await filesOf(dir, acc.accountId)).events);
    assert.ok(parts.filter((n) => n.endsWith('.idx.json')).length >= 5, `sealed parts with indexes: ${parts.join(', ')}`);

    h = await makeFileHarness(dir, { clock, eventsPerPart: 4 });
    assert.deepEqual(await all(`${acc.base}/events`), log);
    for (const [i, person] of people.entries()) assert.deepEqual(await all(`${acc.base}/users/${person.user.id}/events`), histories[i]);
    await h.close();
  });

  it("reads only a history page's own events from disk", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const { fs } = faultyFs();
    let bytesRead = 0;
    fs.openRead = async (path) => {
      const file = await nodeFileSystem.openRead(path);
      return {
        read: async (position, length) => {
          const buffer = await file.read(position, length);
          bytesRead += buffer.length;
          return buffer;
        },
        close: () => file.close(),
      };
    };
    const h = await makeFileHarness(dir, { clock, fs, eventsPerPart: 50 });
    const acc = await bigAccount(h);
    const busy = await h.addUser(acc.accountId, acc.ownerToken, { email: 'busy@example.com' });
    const quiet = await h.addUser(acc.accountId, acc.ownerToken, { email: 'quiet@example.com' });
    for (let i = 0; i < 200; i++) {
      const etag = (await h.request('GET', `${acc.base}/users/${busy.user.id}`, { token: acc.ownerToken })).headers.get('ETag')!;
      await h.request('PATCH', `${acc.base}/users/${busy.user.id}`, { token: acc.ownerToken, body: { qualification: `Edit ${i}` }, headers: { 'If-Match': etag } });
    }
    bytesRead = 0;
    const history = await h.request('GET', `${acc.base}/users/${quiet.user.id}/events`, { token: acc.ownerToken });
    assert.equal(history.status, 200);
    assert.equal(history.body.total, 2, 'invited and accepted');
    const own = Buffer.byteLength(history.body.data.map((e: AuditEvent) => `${JSON.stringify(e)}\n`).join(''));
    assert.ok(bytesRead <= own, `read ${bytesRead} bytes for a history of ${own} bytes among 200+ events of another user`);
    await h.close();
  });

  it("a purchase appends a journal line the size of the change, however many invoices the account has", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const h = await makeFileHarness(dir, { clock, checkpointEvery: 100_000 });
    const acc = await bigAccount(h, 1);
    const buy = async (quantity: number) => {
      const quote = await h.request('GET', `${acc.base}/licenses/quote?quantity=${quantity}`, { token: acc.ownerToken });
      const res = await h.request('POST', `${acc.base}/licenses`, {
        token: acc.ownerToken,
        body: { quantity, acceptAgreement: true, expectedAmountDue: quote.body.amountDue },
        headers: { 'Idempotency-Key': `buy-${quantity}` },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    const lastLine = async () => {
      const text = await readFile((await filesOf(dir, acc.accountId)).current, 'utf8');
      return Buffer.byteLength(text.slice(text.lastIndexOf('\n', text.length - 2) + 1));
    };
    await buy(2);
    const first = await lastLine();
    for (let quantity = 3; quantity <= 300; quantity++) await buy(quantity);
    assert.equal((await invoicesOf(h, acc.base, acc.ownerToken)).length, 200, 'a page of the 299 invoices');
    const later = await lastLine();
    assert.ok(later < first + 200, `the line of the 299th purchase is ${later} bytes, the first was ${first}`);
    await h.close();
  });
});

describe('file store: one process per data folder', () => {
  it('refuses a second open of the same folder with DataLockedError naming the folder', async () => {
    const dir = await tempDir();
    const first = await FileStore.open(dir);
    try {
      await assert.rejects(FileStore.open(dir), (error: Error) => {
        assert.ok(error instanceof DataLockedError, String(error));
        assert.ok(error.message.includes(dir), error.message);
        assert.ok(error.message.includes(`pid ${process.pid}`), error.message);
        return true;
      });
    } finally {
      await first.close();
    }
    // Once the first has closed, the folder opens again.
    const again = await FileStore.open(dir);
    await again.close();
  });

  it('a second server process on a folder in use exits non-zero, naming the folder and the other pid', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    const started = await start(serverEnv(dir), (line) => lines.push(line));
    try {
      const health = await fetch(`${started.url}/healthz`);
      assert.equal(health.status, 200);
      const { child, output, exit } = spawnServer(dir);
      const { code } = await withTimeout(exit, 20_000, 'the second server');
      assert.ok(child.pid);
      assert.notEqual(code, 0, `the second server exited with ${code}`);
      assert.ok(output().includes(dir), `the message names the data folder:\n${output()}`);
      assert.ok(output().includes(`pid ${process.pid}`), `the message names the other pid:\n${output()}`);
      assert.ok(!output().includes('listening'), output());
      // The first server is still fine.
      assert.equal((await fetch(`${started.url}/healthz`)).status, 200);
    } finally {
      await started.close();
    }
  });

  it('lets exactly one of four servers started together take a folder whose last server was killed', async () => {
    const dir = await tempDir();
    const killed = await startServer(dir);
    killed.child.kill('SIGKILL');
    await killed.exit;
    const servers = Array.from({ length: 4 }, () => spawnServer(dir));
    const listening = () => servers.filter((s) => s.output().includes('listening'));
    try {
      // Three give up (naming the folder); one serves.
      const exits = await Promise.race([
        Promise.all(servers.map((s) => s.exit.then(() => s))),
        new Promise<void>((resolve) => setTimeout(resolve, 25_000)),
      ]);
      assert.equal(exits, undefined, 'one server keeps running');
      const exited = servers.filter((s) => s.child.exitCode !== null);
      assert.equal(exited.length, 3, servers.map((s) => s.output()).join('\n---\n'));
      for (const s of exited) assert.ok(s.output().includes(dir), s.output());
      assert.equal(listening().length, 1);
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
      await Promise.all(servers.map((s) => s.exit));
    }
  });
});

/** The pid of a live process that is not seatkit (it ends with the tests). */
function unrelatedProcess(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

describe('file store: a lock left behind does not block a restart', () => {
  it('holds the folder with a socket the operating system closes when the holder dies', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    assert.ok((await stat(join(dir, 'seatkit.lock'))).isSocket(), 'the lock is a Unix socket');
    await store.close();
    assert.equal(await exists(join(dir, 'seatkit.lock')), false, 'closing removes the lock');
  });

  const pidFiles: [string, () => Promise<{ pid: number; done?: () => void }>][] = [
    ['names a pid that no longer exists', async () => ({ pid: await deadPid() })],
    // A restart in a fresh PID namespace gets the dead server's pid (pid 1 in a container): its own.
    ['names the new process’s own pid', async () => ({ pid: process.pid })],
    [
      'names a live process that is not seatkit (a reused pid)',
      async () => {
        const other = unrelatedProcess();
        return { pid: other.pid!, done: () => other.kill() };
      },
    ],
  ];
  for (const [name, holder] of pidFiles) {
    it(`takes over a lock file of an older seatkit that ${name}`, async () => {
      const dir = await tempDir();
      const { pid, done } = await holder();
      try {
        await writeFile(join(dir, 'seatkit.lock'), JSON.stringify({ pid, startedAt: new Date().toISOString() }));
        const store = await FileStore.open(dir);
        assert.ok((await stat(join(dir, 'seatkit.lock'))).isSocket());
        await store.close();
      } finally {
        done?.();
      }
    });
  }

  for (const [name, content] of [
    ['an empty lock file', ''],
    ['a lock file of garbage', 'garbage \u0000\u0001 not json'],
  ] as const) {
    it(`takes over ${name}`, async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'seatkit.lock'), content);
      const store = await FileStore.open(dir);
      await store.close();
    });
  }

  it('takes over the lock of a server that was killed (SIGKILL)', async () => {
    const dir = await tempDir();
    const server = await startServer(dir);
    assert.ok(await exists(join(dir, 'seatkit.lock')));
    server.child.kill('SIGKILL');
    await server.exit;
    assert.ok(await exists(join(dir, 'seatkit.lock')), 'the killed server left its socket file');
    const store = await FileStore.open(dir);
    await store.close();
  });

  it('takes over the lock of a killed server that is still a zombie (its parent has not reaped it)', async () => {
    const dir = await tempDir();
    // sh starts the server in the background and becomes `sleep`, which never reaps it.
    const command = `"${process.execPath}" --import tsx server/node.ts & echo "pid $!"; exec sleep 60`;
    const parent = spawn('sh', ['-c', command], { cwd: ROOT, env: serverEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    parent.stdout!.on('data', (chunk) => (out += String(chunk)));
    parent.stderr!.on('data', (chunk) => (out += String(chunk)));
    try {
      const pid = await withTimeout(
        new Promise<number>((resolve) => {
          const look = () => {
            const match = out.match(/pid (\d+)/);
            if (match && out.includes('listening')) resolve(Number(match[1]));
          };
          parent.stdout!.on('data', look);
        }),
        20_000,
        `the server under sh:\n${out}`,
      );
      process.kill(pid, 'SIGKILL');
      let state = '';
      for (let i = 0; i < 100 && state !== 'Z'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]![0]!;
      }
      assert.equal(state, 'Z', 'the killed server is a zombie');
      const store = await FileStore.open(dir);
      await store.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('file store: a damaged file stops start-up and is left untouched', () => {
  /** A folder with one account, several changes, and (with a small checkpointEvery) a checkpoint. */
  async function seeded(checkpointEvery = 3) {
    const dir = await tempDir();
    const h = await makeFileHarness(dir, { checkpointEvery, checkpointWeight: 0, eventsPerPart: 4 });
    const acc = await bigAccount(h);
    for (let i = 0; i < 6; i++) await invite(h, acc.base, acc.ownerToken, `u${i}@example.com`);
    await h.close();
    const files = await filesOf(dir, acc.accountId);
    if (checkpointEvery <= 6) assert.ok(await exists(files.checkpoint), 'a checkpoint exists');
    return { dir, ...files, accountId: acc.accountId };
  }

  /** Damages `file`, then checks: open refuses naming it (and `line`), the bytes stay, the lock is free, a repair opens. */
  async function refuses(dir: string, file: string, damage: (original: Buffer) => Buffer, accountId: string, line?: number) {
    const original = await readFile(file);
    const damaged = damage(original);
    await writeFile(file, damaged);
    await assert.rejects(FileStore.open(dir, { eventsPerPart: 4 }), (error: Error) => {
      assert.ok(error instanceof CorruptDataError, `${error.name}: ${error.message}`);
      assert.ok(error.message.includes(file), `the message names the file: ${error.message}`);
      if (line !== undefined) assert.ok(error.message.includes(`line ${line}`), `the message names line ${line}: ${error.message}`);
      return true;
    });
    assert.ok((await readFile(file)).equals(damaged), 'the damaged file is byte-for-byte unchanged');
    assert.equal(await exists(join(dir, 'seatkit.lock')), false, 'the lock was released');
    await writeFile(file, original);
    const store = await FileStore.open(dir, { eventsPerPart: 4 });
    try {
      assert.equal((await store.get(accountId))?.id, accountId, 'after the repair the account is there');
    } finally {
      await store.close();
    }
  }

  const withLine = (n: number, replace: (line: string) => string) => (b: Buffer) => {
    const lines = b.toString('utf8').split('\n');
    assert.ok(lines.length > n, `the file has more than ${n} lines`);
    lines[n - 1] = replace(lines[n - 1]!);
    return Buffer.from(lines.join('\n'));
  };

  it('(a) a checkpoint overwritten with garbage', async () => {
    const s = await seeded();
    await refuses(s.dir, s.checkpoint, () => Buffer.from('this is not json at all\n'), s.accountId);
  });

  it('(b) a checkpoint truncated in the middle', async () => {
    const s = await seeded();
    await refuses(s.dir, s.checkpoint, (b) => b.subarray(0, Math.floor(b.length / 2)), s.accountId);
  });

  it('(c) an empty checkpoint', async () => {
    const s = await seeded();
    await refuses(s.dir, s.checkpoint, () => Buffer.alloc(0), s.accountId);
  });

  it('(c′) a checkpoint that is JSON but not a checkpoint', async () => {
    const s = await seeded();
    await refuses(s.dir, s.checkpoint, () => Buffer.from('{"hello":"world"}'), s.accountId);
  });

  it('(c″) a checkpoint of the right format whose users are not a list', async () => {
    const s = await seeded();
    await refuses(s.dir, s.checkpoint, (b) => Buffer.from(JSON.stringify({ ...JSON.parse(String(b)), doc: { ...JSON.parse(String(b)).doc, users: 7 } })), s.accountId);
  });

  it('(d) a journal line in the middle replaced by garbage', async () => {
    const s = await seeded(10_000);
    await refuses(s.dir, s.current, withLine(3, () => '{"seq":3,"garbage'), s.accountId, 3);
  });

  it('(d′) a journal line that is JSON of the wrong shape', async () => {
    const s = await seeded(10_000);
    await refuses(s.dir, s.current, withLine(3, () => '{"seq":3,"firstEvent":2,"events":"none"}'), s.accountId, 3);
  });

  it('(d″) a journal line whose user record lacks its fields', async () => {
    const s = await seeded(10_000);
    await refuses(s.dir, s.current, withLine(3, (line) => line.replace(/"email":"[^"]*",/, '')), s.accountId, 3);
  });

  it('(e) an emptied journal without a checkpoint', async () => {
    const s = await seeded(10_000);
    await refuses(s.dir, s.current, () => Buffer.alloc(0), s.accountId);
  });

  it('(f) a journal segment emptied after the checkpoint (its changes are in the audit log, not in the journal)', async () => {
    const s = await seeded(3);
    // Two invites after the last checkpoint: their lines, and their events, follow it.
    const h = await makeFileHarness(s.dir, { checkpointEvery: 10_000, eventsPerPart: 4 });
    const token = await h.session(s.accountId, (await h.store.get(s.accountId))!.ownerId);
    await invite(h, `/v1/accounts/${s.accountId}`, token, 'after-a@example.com');
    await invite(h, `/v1/accounts/${s.accountId}`, token, 'after-b@example.com');
    await h.close();
    const current = (await filesOf(s.dir, s.accountId)).current;
    assert.ok((await lineCount(current)) >= 2, 'the current segment holds changes after the checkpoint');
    await refuses(s.dir, current, () => Buffer.alloc(0), s.accountId);
  });

  it('(f′) a checkpoint ahead of its journal (the journal ends before the checkpoint)', async () => {
    const s = await seeded(3);
    const original = await readFile(s.checkpoint, 'utf8');
    await writeFile(s.checkpoint, JSON.stringify({ ...JSON.parse(original), seq: 999 }));
    await assert.rejects(FileStore.open(s.dir, { eventsPerPart: 4 }), (error: Error) => {
      assert.ok(error instanceof CorruptDataError, String(error));
      assert.match(error.message, /the journal (starts at|ends at) \d+.*checkpoint (is )?at 999/, error.message);
      return true;
    });
  });

  it('(g) a checkpoint whose journal was deleted: refused, naming the folder (the account does not vanish)', async () => {
    const s = await seeded(3);
    const moved = join(s.root, 'journal.moved');
    await cp(join(s.root, 'journal'), moved, { recursive: true });
    await rm(join(s.root, 'journal'), { recursive: true });
    await assert.rejects(FileStore.open(s.dir, { eventsPerPart: 4 }), (error: Error) => {
      assert.ok(error instanceof CorruptDataError, String(error));
      assert.ok(error.message.includes(join(s.root, 'journal')), error.message);
      return true;
    });
    await rm(join(s.root, 'journal'), { recursive: true, force: true });
    await cp(moved, join(s.root, 'journal'), { recursive: true });
    await rm(moved, { recursive: true });
    const store = await FileStore.open(s.dir, { eventsPerPart: 4 });
    assert.equal((await store.get(s.accountId))?.id, s.accountId);
    await store.close();
  });

  it('(h) an audit-log line damaged before the checkpoint counted it', async () => {
    const s = await seeded(3);
    // More changes, each checkpointed (close waits for the last): the checkpoint then counts every event.
    const h = await makeFileHarness(s.dir, { checkpointEvery: 1, checkpointWeight: 0, eventsPerPart: 4 });
    const token = await h.session(s.accountId, (await h.store.get(s.accountId))!.ownerId);
    // Two more: 9 events, so the open part (events 8…) holds a line.
    await invite(h, `/v1/accounts/${s.accountId}`, token, 'one-more@example.com');
    await invite(h, `/v1/accounts/${s.accountId}`, token, 'two-more@example.com');
    await h.close();
    const { eventCount } = JSON.parse(await readFile(s.checkpoint, 'utf8'));
    // Parts of 4 events: the open part (no index yet) is read back at start-up; its first line is event 4n.
    const names = await readdir(s.events);
    const open = Math.max(...names.filter((n) => n.endsWith('.log') && !names.includes(n.replace('.log', '.idx.json'))).map((n) => Number.parseInt(n, 10)));
    assert.ok(eventCount > open * 4, `the checkpoint counts ${eventCount} events, the open part ${open} starts at ${open * 4}`);
    await refuses(s.dir, join(s.events, `${String(open).padStart(8, '0')}.log`), withLine(1, () => '{"id":"evt_x","damaged":true}'), s.accountId, 1);
  });

  it('(h′) a damaged line in a sealed part: the pages that need it answer 500 and the log names the file', async () => {
    const s = await seeded(3);
    const part = join(s.events, '00000000.log');
    await writeFile(part, withLine(2, (line) => `${line.slice(0, 10)}#`.padEnd(line.length, '#'))(await readFile(part)));
    const logged: string[] = [];
    const h = await makeFileHarness(s.dir, { eventsPerPart: 4, config: { log: (entry) => logged.push(JSON.stringify(entry)) } });
    const token = await h.session(s.accountId, (await h.store.get(s.accountId))!.ownerId);
    const newest = await h.request('GET', `/v1/accounts/${s.accountId}/events?limit=2`, { token });
    assert.equal(newest.status, 200, 'pages of intact parts are served');
    const all = await h.request('GET', `/v1/accounts/${s.accountId}/events?limit=200`, { token });
    assert.ok(isProblem(all, 500, 'internal_error'), JSON.stringify(all.body));
    assert.ok(!JSON.stringify(all.body).includes(part), 'the answer does not show the path');
    assert.ok(logged.some((l) => l.includes(part) && l.includes('line 2')), logged.join('\n'));
    await h.close();
  });

  it('(i) the index of a sealed part of the audit log', async () => {
    const s = await seeded(3);
    await refuses(s.dir, join(s.events, '00000000.idx.json'), () => Buffer.from('{"format":1,"count":4}'), s.accountId);
  });

  it('does not stop for a stray file or folder: it says so in the log and starts', async () => {
    const s = await seeded(3);
    await writeFile(join(s.dir, 'notes.txt'), 'an operator’s notes');
    await writeFile(join(s.dir, 'accounts', 'README'), 'stray');
    await writeFile(join(s.root, 'journal', 'backup.txt'), 'stray');
    await writeFile(join(s.root, 'checkpoint.json.bak'), 'stray');
    const logged: string[] = [];
    const store = await FileStore.open(s.dir, { eventsPerPart: 4, log: (line) => logged.push(line) });
    assert.equal((await store.get(s.accountId))?.id, s.accountId);
    await store.close();
    assert.ok(logged.some((l) => l.includes(join(s.dir, 'accounts', 'README'))), logged.join('\n'));
    assert.ok(logged.some((l) => l.includes('backup.txt')), logged.join('\n'));
  });
});

describe('file store: damage the journal can repair', () => {
  it('cuts off damaged audit-log lines the journal still holds, and writes them again', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock, checkpointEvery: 10_000 });
    const acc = await bigAccount(h);
    for (let i = 0; i < 4; i++) await invite(h, acc.base, acc.ownerToken, `u${i}@example.com`);
    const before = await eventsOf(h, acc.base, acc.ownerToken);
    await h.close();
    const part = join((await filesOf(dir, acc.accountId)).events, '00000000.log');
    const lines = (await readFile(part, 'utf8')).split('\n');
    await writeFile(part, `${lines.slice(0, 2).join('\n')}\n\u0000\u0000\u0000 not an event\n`);
    const logged: string[] = [];
    h = await makeFileHarness(dir, { clock, log: (line) => logged.push(line) });
    assert.deepEqual(await eventsOf(h, acc.base, acc.ownerToken), before);
    await h.close();
    assert.ok(logged.some((l) => l.includes(part) && l.includes('cutting off')), logged.join('\n'));
    await assertValidFiles(dir);
  });
});

describe('file store: data of seatkit 0.1 (one journal file per account)', () => {
  it('converts it to the account folder, keeping users, sessions and the audit log', async () => {
    const dir = await tempDir();
    const id = 'acc_legacy0000000000000001';
    const owner = {
      id: 'usr_owner', accountId: id, email: 'olive@legacy.example', firstName: 'Olive', lastName: 'Owner', role: 'owner', qualification: '',
      status: 'enabled', invitationExpired: false, invitedAt: null, activatedAt: START, licenseAssignedAt: START, lastActiveAt: null,
      createdAt: START, updatedAt: START, version: 1, invitation: null,
    };
    const doc = {
      id, name: 'Legacy Co', ownerId: owner.id, createdAt: START,
      plan: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month', anchor: START, period: 0, periodStart: START, periodEnd: '2026-06-15T00:00:00.000Z', scheduled: null },
      testClock: null, users: [owner], sessions: {}, idempotency: {}, invoices: [],
    };
    const event = (n: number, action: string, userIds: string[]) => ({
      id: `evt_${n}`, accountId: id, action, actor: { type: 'api_key' }, userIds, before: null, after: null, createdAt: START,
    });
    const token = 'legacy-session-token-0123456789abcdef';
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(token).digest('hex');
    const records = [
      { s: 1, d: doc, e: [{ ...event(1, 'account.created', [owner.id]), after: { name: 'Legacy Co', quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' } }] },
      { s: 2, m: { sessions: { set: { [hash]: { userId: owner.id, createdAt: START, expiresAt: '2030-01-01T00:00:00.000Z' } }, del: [] } }, e: [] },
      { s: 3, m: { users: { set: { usr_owner: { ...owner, firstName: 'Olivia', version: 2 } }, del: [] } }, e: [event(2, 'user.updated', [owner.id])] },
    ];
    await mkdir(join(dir, 'accounts'), { recursive: true });
    await writeFile(join(dir, 'accounts', `${id}.log`), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const h = await makeFileHarness(dir);
    const account = await h.request('GET', `/v1/accounts/${id}`, { token });
    assert.equal(account.status, 200, JSON.stringify(account.body));
    assert.equal(account.body.name, 'Legacy Co');
    const events = await eventsOf(h, `/v1/accounts/${id}`, token);
    assert.deepEqual(events.data.map((e) => e.id), ['evt_2', 'evt_1']);
    assert.equal((await h.request('GET', `/v1/accounts/${id}/users/usr_owner`, { token })).body.firstName, 'Olivia');
    // Usage per day, replayed from the old audit log.
    const usage = await h.request('GET', `/v1/accounts/${id}/usage?days=1`, { token });
    assert.deepEqual(usage.body.data, [{ date: START.slice(0, 10), quantity: 3, inUse: 1, maxInUse: 1 }]);
    await h.close();
    const files = await listFiles(join(dir, 'accounts'));
    assert.ok(!files.includes(`${id}.log`), `the old journal is gone: ${files.join(', ')}`);
    assert.ok(files.includes(join(id, 'checkpoint.json')));
    await assertValidFiles(dir);
  });
});

describe('file store: a torn journal tail', () => {
  it('drops a partial last line, keeps every acknowledged change, and appends cleanly after it', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { clock });
    const acc = await bigAccount(h);
    const invited: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await invite(h, acc.base, acc.ownerToken, `u${i}@example.com`);
      assert.equal(res.status, 201);
      invited.push(res.body.user.id);
    }
    await h.close();
    const log = (await filesOf(dir, acc.accountId)).current;
    const intact = await readFile(log, 'utf8');
    await appendFile(log, '{"seq":999,"entries":{"users":{"set":{"usr_torn":{"id":"usr_to');

    h = await makeFileHarness(dir, { clock });
    const users = await usersOf(h, acc.base, acc.ownerToken);
    for (const id of invited) assert.ok(users.some((u) => u.id === id), `${id} is there`);
    assert.ok(!users.some((u) => u.id === 'usr_torn'));
    assert.equal(await readFile(log, 'utf8'), intact, 'the torn line was cut off');
    const next = await invite(h, acc.base, acc.ownerToken, 'after@example.com');
    assert.equal(next.status, 201, JSON.stringify(next.body));
    await h.close();
    await assertValidFiles(dir);

    h = await makeFileHarness(dir, { clock });
    const again = await usersOf(h, acc.base, acc.ownerToken);
    assert.ok(again.some((u) => u.id === next.body.user.id), 'the change after the torn line is there');
    assert.equal(again.length, 1 + invited.length + 1);
    await h.close();
  });
});

describe('file store: a failed write answers 503 and applies nothing', () => {
  const failures = [
    { name: 'a short write failing with ENOSPC', op: 'write' as const, fault: { error: errno('ENOSPC'), partial: true } },
    { name: 'a write failing with EIO', op: 'write' as const, fault: { error: errno('EIO') } },
    { name: 'an fsync failing with EIO', op: 'sync' as const, fault: { error: errno('EIO') } },
  ];

  for (const failure of failures) {
    it(`${failure.name}: 503 storage_unavailable, nothing applied (memory, disk, outbox), then recovers`, async () => {
      const dir = await tempDir();
      const { fs, control } = faultyFs();
      const clock = new ManualClock();
      let h = await makeFileHarness(dir, { fs, clock });
      const acc = await bigAccount(h, 10);
      const kept = await invite(h, acc.base, acc.ownerToken, 'kept@example.com');
      assert.equal(kept.status, 201);
      const account = await accountOf(h, acc.base, acc.ownerToken);
      const users = await usersOf(h, acc.base, acc.ownerToken);
      const events = (await eventsOf(h, acc.base, acc.ownerToken)).total;
      const mails = (await h.outbox()).total;

      let failing = true;
      control.fault = (call) => (failing && call.op === failure.op && isJournal(call.path) ? failure.fault : undefined);
      const res = await invite(h, acc.base, acc.ownerToken, 'lost@example.com');
      assert.ok(isProblem(res, 503, 'storage_unavailable'), `${res.status} ${JSON.stringify(res.body)}`);
      assert.ok(Number(res.headers.get('Retry-After')) > 0, 'Retry-After is set');

      // Nothing of it in memory…
      assert.deepEqual((await accountOf(h, acc.base, acc.ownerToken)).licenses, account.licenses, 'counts unchanged');
      assert.deepEqual(await usersOf(h, acc.base, acc.ownerToken), users, 'no new user');
      assert.equal((await eventsOf(h, acc.base, acc.ownerToken)).total, events, 'no new event');
      assert.equal((await h.outbox()).total, mails, 'no invitation email was sent');
      // …and nothing of it on disk (what a restart right now would load).
      const disk = await onDisk(dir, acc.accountId);
      assert.ok(disk.doc, 'the account is on disk');
      assert.ok(![...disk.doc.users.values()].some((u) => u.email === 'lost@example.com'), 'the failed invite is not on disk');
      assert.equal(disk.doc.users.size, users.length);
      assert.equal(disk.events, events);

      // Recovery: the next change works on the same store.
      failing = false;
      const next = await invite(h, acc.base, acc.ownerToken, 'next@example.com');
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.equal((await accountOf(h, acc.base, acc.ownerToken)).licenses.invited, account.licenses.invited + 1);
      await h.close();

      // The journal is valid (the failed bytes were cut off) and holds exactly what was acknowledged.
      await assertValidFiles(dir);
      h = await makeFileHarness(dir, { clock });
      const after = await usersOf(h, acc.base, acc.ownerToken);
      assert.deepEqual(after.map((u) => u.email).sort(), [...users.map((u) => u.email), 'next@example.com'].sort());
      await h.close();
    });
  }

  it('a failed fsync followed by a shutdown: the failed change is not on disk after reopening', async () => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { fs, clock });
    const acc = await bigAccount(h, 10);
    const users = await usersOf(h, acc.base, acc.ownerToken);
    control.fault = (call) => (call.op === 'sync' && isJournal(call.path) ? { error: errno('EIO') } : undefined);
    const res = await invite(h, acc.base, acc.ownerToken, 'lost@example.com');
    assert.ok(isProblem(res, 503, 'storage_unavailable'), `${res.status} ${JSON.stringify(res.body)}`);
    control.fault = () => undefined;
    await h.close();

    await assertValidFiles(dir);
    h = await makeFileHarness(dir, { clock });
    const after = await usersOf(h, acc.base, acc.ownerToken);
    assert.ok(!after.some((u) => u.email === 'lost@example.com'), 'the change answered 503 did not come back after the restart');
    assert.equal(after.length, users.length);
    await h.close();
  });

  it('a failure in the middle of a pipelined burst fails the whole batch built on it; later changes work', async (t: TestContext) => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { fs, clock });
    const acc = await bigAccount(h, 50);
    const account = await accountOf(h, acc.base, acc.ownerToken);
    const users = await usersOf(h, acc.base, acc.ownerToken);
    const mails = (await h.outbox()).total;

    // The first journal fsync of the burst fails, slowly enough that the whole burst queues behind it.
    let armed = true;
    control.fault = (call) => {
      if (!armed || call.op !== 'sync' || !isJournal(call.path)) return undefined;
      armed = false;
      return { error: errno('EIO'), delayMs: 150 };
    };
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => invite(h, acc.base, acc.ownerToken, `burst${i}@example.com`)));
    t.diagnostic(`burst with a failing first fsync: ${JSON.stringify(tally(replies))}`);
    for (const r of replies) assert.ok(isProblem(r, 503, 'storage_unavailable'), `${r.status} ${JSON.stringify(r.body)}`);
    assert.deepEqual((await accountOf(h, acc.base, acc.ownerToken)).licenses, account.licenses);
    assert.deepEqual(await usersOf(h, acc.base, acc.ownerToken), users);
    assert.equal((await h.outbox()).total, mails, 'no email for a change that failed');
    const disk = await onDisk(dir, acc.accountId);
    assert.equal(disk.doc!.users.size, users.length, 'none of the burst is on disk');

    const later = await Promise.all(Array.from({ length: 5 }, (_, i) => invite(h, acc.base, acc.ownerToken, `later${i}@example.com`)));
    assert.deepEqual(tally(later), { 201: 5 });
    await h.close();

    await assertValidFiles(dir);
    h = await makeFileHarness(dir, { clock });
    const after = await usersOf(h, acc.base, acc.ownerToken);
    assert.equal(after.length, users.length + 5);
    assert.ok(!after.some((u) => u.email.startsWith('burst')));
    await h.close();
  });

  it('a short write of a batch (some whole lines reach the file) fails that batch and leaves none of it on disk', async (t: TestContext) => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    const clock = new ManualClock();
    let h = await makeFileHarness(dir, { fs, clock });
    const acc = await bigAccount(h, 50);
    const users = await usersOf(h, acc.base, acc.ownerToken);

    // The first write of the burst is slow to sync (the rest queue behind it as one batch); the
    // batch's write then stops half-way with ENOSPC, after several whole lines.
    let journalWrites = 0;
    control.fault = (call) => {
      if (!isJournal(call.path)) return undefined;
      if (call.op === 'sync' && journalWrites === 1) return { delayMs: 150 };
      if (call.op === 'write' && ++journalWrites === 2) return { error: errno('ENOSPC'), partial: true };
      return undefined;
    };
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => invite(h, acc.base, acc.ownerToken, `burst${i}@example.com`)));
    t.diagnostic(`burst with a short second write: ${JSON.stringify(tally(replies))}`);
    const ok = replies.filter((r) => r.status === 201).map((r) => r.body.user.email as string);
    assert.equal(ok.length, 1, 'only the change written before the failure succeeded');
    for (const r of replies) if (r.status !== 201) assert.ok(isProblem(r, 503, 'storage_unavailable'), `${r.status} ${JSON.stringify(r.body)}`);
    const expected = [...users.map((u) => u.email), ...ok].sort();
    assert.deepEqual((await usersOf(h, acc.base, acc.ownerToken)).map((u) => u.email).sort(), expected);
    const disk = await onDisk(dir, acc.accountId);
    assert.deepEqual(
      [...disk.doc!.users.values()]
        .map((u) => u.email)
        .sort(),
      expected,
      'on disk: exactly the acknowledged changes (no line of the failed batch)',
    );

    control.fault = () => undefined;
    assert.equal((await invite(h, acc.base, acc.ownerToken, 'later@example.com')).status, 201);
    await h.close();
    await assertValidFiles(dir);
    h = await makeFileHarness(dir, { clock });
    assert.deepEqual((await usersOf(h, acc.base, acc.ownerToken)).map((u) => u.email).sort(), [...expected, 'later@example.com'].sort());
    await h.close();
  });

  it('account creation whose first journal cannot be written answers 503 and creates no account', async () => {
    const dir = await tempDir();
    const { fs, control } = faultyFs();
    let h = await makeFileHarness(dir, { fs });
    let failing = true;
    control.fault = (call) => (failing && call.op === 'write' && /\.log\.[^/\\]*\.tmp$/.test(call.path) ? { error: errno('ENOSPC'), partial: true } : undefined);
    const body = {
      name: 'Doomed Inc',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@doomed.example', firstName: 'Dora', lastName: 'Doomed' },
    };
    const res = await h.admin('POST', '/v1/accounts', body);
    assert.ok(isProblem(res, 503, 'storage_unavailable'), `${res.status} ${JSON.stringify(res.body)}`);
    assert.ok(Number(res.headers.get('Retry-After')) > 0);
    assert.deepEqual(await readdir(join(dir, 'accounts')), [], 'no file of the account (nor a temp file) is left');
    assert.equal((await h.outbox()).total, 0);

    failing = false;
    const ok = await h.admin('POST', '/v1/accounts', body);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    await h.close();
    h = await makeFileHarness(dir);
    assert.ok(await h.store.get(ok.body.account.id), 'the account created after the failure is there');
    assert.equal((await readdir(join(dir, 'accounts'))).length, 1, 'one account journal');
    await h.close();
  });
});

describe('file store: SIGTERM with requests in flight', () => {
  it('finishes the requests in flight, exits 0 within 5 s, and every 2xx is on disk', async (t: TestContext) => {
    const dir = await tempDir();
    const server = await startServer(dir);
    try {
      const call = async (method: string, path: string, token: string, body?: unknown) => {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const created = await call('POST', '/v1/accounts', API_KEY, {
        name: 'Busy Co',
        licenses: { quantity: 500, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@busy.example', firstName: 'Bea', lastName: 'Busy' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const accountId: string = created.body.account.id;
      const session = await call('POST', `/v1/accounts/${accountId}/sessions`, API_KEY, { userId: created.body.owner.id });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const token: string = session.body.token;
      assert.equal((await call('GET', `/v1/accounts/${accountId}`, token)).status, 200);

      let signalled = 0;
      const sigterm = () => {
        if (signalled) return;
        signalled = performance.now();
        server.child.kill('SIGTERM');
      };
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call('POST', `/v1/accounts/${accountId}/invitations`, token, { email: `inflight${i}@example.com`, firstName: 'In', lastName: `Flight${i}` }).then(
            (reply) => {
              sigterm();
              return reply;
            },
            (error: Error) => ({ status: 0, body: { code: `${error.message}: ${String((error.cause as Error | undefined)?.message ?? '')}` } }),
          ),
        ),
      );
      sigterm();
      const { code, signal } = await withTimeout(server.exit, 5_000, 'the server after SIGTERM');
      const exitMs = performance.now() - signalled;
      const failures = [...new Set(replies.filter((r) => r.status === 0).map((r) => r.body.code))];
      if (failures.length > 0) t.diagnostic(`requests without an answer: ${failures.join('; ')}`);
      t.diagnostic(`SIGTERM: exit ${code} after ${Math.round(exitMs)} ms; replies ${JSON.stringify(tally(replies))}`);
      console.log(`SIGTERM with 100 invites in flight: exit ${code} after ${Math.round(exitMs)} ms; replies ${JSON.stringify(tally(replies))}`);
      assert.equal(signal, null);
      assert.equal(code, 0, server.output());
      assert.ok(exitMs < 5000);
      const acknowledged = replies.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.body.user.id as string);
      assert.ok(acknowledged.length > 0, 'some requests completed');
      for (const r of replies) assert.ok(r.status === 0 || r.status === 201 || r.status === 503, `unexpected answer ${r.status} ${JSON.stringify(r.body)}`);

      await assertValidFiles(dir);
      assert.equal(await exists(join(dir, 'seatkit.lock')), false, 'the lock was released');
      const store = await FileStore.open(dir);
      try {
        const doc = await store.get(accountId);
        assert.ok(doc);
        for (const id of acknowledged) assert.ok(doc.users.get(id), `acknowledged invite ${id} is on disk`);
        t.diagnostic(`on disk: ${doc.users.size - 1} invited users for ${acknowledged.length} acknowledged invites`);
      } finally {
        await store.close();
      }
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
  });
});
