/**
 * Crash safety of the real server process ("everything persists across restarts", docs/storage.md; the
 * file store): a write load against `node server/node.ts`, SIGKILL at a random moment, a restart on
 * the same folder, then every acknowledged write must be there, and every file must be readable.
 *
 * CRASH_ROUNDS (default 3) sets how many kill/restart rounds run on the same folder; `scripts/stress.ts`
 * runs 25. Each round prints one `crash-round {json}` line and the run one `crash-total {json}` line.
 * RESTART_ROUNDS (default 3; the stress run 20) does the same through `npm run server`, killing its
 * whole process group and starting the next at once (`restart-total {json}`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Account, User } from '../../sdk/types.js';
import { createAccountOver, http, listAll, PROCESS_API_KEY, startServerProcess, type HttpReply, type ServerProcess } from '../helpers/server-process.js';

const ROUNDS = Math.max(1, Number(process.env.CRASH_ROUNDS ?? 3) || 3);
const RESTART_ROUNDS = Math.max(1, Number(process.env.RESTART_ROUNDS ?? 3) || 3);
const WORKERS = 8;
/** Room for the increases: the plan allows at most 100,000. */
const START_QUANTITY = 90_000;

type Status = User['status'];

interface Tracked {
  id: string;
  email: string;
  worker: number;
  firstName: string;
  lastName: string;
  qualification: string;
  status: Status;
  version: number;
}

/** The state the server acknowledged, plus what a request cut off by the kill might have done. */
interface Model {
  users: Map<string, Tracked>;
  /** userId → the state if the request in flight at the kill was applied. */
  pending: Map<string, Tracked>;
  /** Emails of invites in flight at the kill. */
  pendingInvites: Map<string, number>;
  quantity: number;
  /** Increases applied (acknowledged, or found applied after a restart). */
  increases: number;
  pendingIncrease: { key: string; body: { quantity: number; acceptAgreement: true; expectedAmountDue: number } } | null;
}

interface RoundResult {
  acknowledged: number;
  byKind: Record<string, number>;
  unexpected: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fromUser(user: User, worker: number): Tracked {
  const { id, email, firstName, lastName, qualification, status, version } = user;
  return { id, email, worker, firstName, lastName, qualification, status, version };
}

/** Set `now` to end the load; `acknowledged` counts as it goes. */
interface Stop {
  now: boolean;
  acknowledged: number;
}

/** The kill comes after `ms` and after at least one acknowledged write (a loaded machine may be slow to start). */
async function loadFor(ms: number, stop: Stop): Promise<void> {
  await sleep(ms);
  while (stop.acknowledged === 0) await sleep(10);
  stop.now = true;
}

/** Runs the write load until `stop` is set (the kill); returns what was acknowledged. */
async function writeLoad(base: string, accountId: string, token: string, model: Model, round: number, stop: Stop): Promise<RoundResult> {
  const result: RoundResult = { acknowledged: 0, byKind: {}, unexpected: [] };
  const path = `/v1/accounts/${accountId}`;
  const ack = (kind: string) => {
    result.acknowledged++;
    stop.acknowledged++;
    result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
  };
  const check = (kind: string, res: HttpReply, expected: number): boolean => {
    if (res.status === expected) return true;
    result.unexpected.push(`${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    return false;
  };

  async function worker(w: number): Promise<void> {
    let n = 0;
    while (!stop.now) {
      n++;
      const mine = [...model.users.values()].filter((u) => u.worker === w);
      const r = Math.random();
      try {
        if (w === 0 && r < 0.15) {
          // A license increase: quoted, then confirmed with a fresh Idempotency-Key.
          const quantity = model.quantity + 1;
          const quote = await http(base, 'GET', `${path}/licenses/quote?quantity=${quantity}`, { token });
          if (!check('quote', quote, 200)) continue;
          const body = { quantity, acceptAgreement: true as const, expectedAmountDue: quote.body.amountDue as number };
          const key = randomUUID();
          model.pendingIncrease = { key, body };
          const res = await http(base, 'POST', `${path}/licenses`, { token, body, headers: { 'Idempotency-Key': key } });
          model.pendingIncrease = null;
          if (!check('increase', res, 200)) continue;
          assert.equal(res.body.licenses.quantity, quantity);
          assert.equal(res.body.invoice?.kind, 'proration');
          model.quantity = quantity;
          model.increases++;
          ack('increase');
        } else if (mine.length < 3 || r < 0.35) {
          const email = `r${round}w${w}n${n}@load.example`;
          const body = { email, firstName: `First${n}`, lastName: `Last${w}`, qualification: `round ${round}` };
          model.pendingInvites.set(email, w);
          const res = await http(base, 'POST', `${path}/invitations`, { token, body });
          model.pendingInvites.delete(email);
          if (!check('invite', res, 201)) continue;
          const user = res.body.user as User;
          assert.equal(res.headers.get('ETag'), `"${user.version}"`);
          model.users.set(user.id, fromUser(user, w));
          ack('invite');
        } else if (r < 0.7) {
          const target = mine[Math.floor(Math.random() * mine.length)]!;
          const patch = { firstName: `Edited${round}x${n}`, qualification: `w${w} edit ${n}` };
          model.pending.set(target.id, { ...target, ...patch, version: target.version + 1 });
          const res = await http(base, 'PATCH', `${path}/users/${target.id}`, { token, body: patch, headers: { 'If-Match': `"${target.version}"` } });
          model.pending.delete(target.id);
          if (!check('edit', res, 200)) continue;
          const user = res.body.user as User;
          assert.equal(user.firstName, patch.firstName);
          model.users.set(user.id, fromUser(user, w));
          ack('edit');
        } else {
          const target = mine[Math.floor(Math.random() * mine.length)]!;
          const assign = target.status === 'disabled';
          model.pending.set(target.id, { ...target, status: assign ? 'invited' : 'disabled', version: target.version + 1 });
          const res = await http(base, assign ? 'PUT' : 'DELETE', `${path}/users/${target.id}/license`, { token });
          model.pending.delete(target.id);
          if (!check(assign ? 'assign' : 'unassign', res, 200)) continue;
          const user = res.body.user as User;
          assert.equal(user.status, assign ? 'invited' : 'disabled');
          model.users.set(user.id, fromUser(user, w));
          ack(assign ? 'assign' : 'unassign');
        }
      } catch (error) {
        // No complete answer: the process is gone. What was in flight stays pending.
        if (!stop.now) result.unexpected.push(`worker ${w}: ${String(error)}`);
        return;
      }
    }
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return result;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/**
 * Checks every file of the data folder: each `*.json` is one JSON document, each `.log` line
 * parses. With `allowTornTail`, a last line without its newline (a write cut by the kill) is
 * counted instead of reported.
 */
async function checkFiles(dir: string, allowTornTail: boolean): Promise<{ invalid: string[]; tornTails: number; files: number }> {
  const invalid: string[] = [];
  let tornTails = 0;
  const files = await filesUnder(dir);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.json')) {
      try {
        JSON.parse(text);
      } catch {
        invalid.push(`${file}: not one JSON document (${text.length} chars)`);
      }
    } else if (file.endsWith('.log')) {
      const lines = text.split('\n');
      const tail = lines.pop()!;
      if (tail !== '') {
        if (allowTornTail) tornTails++;
        else invalid.push(`${file}: a torn last line (${tail.length} chars) after the restart`);
      }
      lines.forEach((line, i) => {
        try {
          JSON.parse(line);
        } catch {
          invalid.push(`${file}: line ${i + 1} is not JSON`);
        }
      });
    }
  }
  return { invalid, tornTails, files: files.length };
}

/** Compares the restarted server with the model; resolves the pending requests; returns what was lost. */
async function verify(base: string, accountId: string, token: string, model: Model): Promise<string[]> {
  const lost: string[] = [];
  const path = `/v1/accounts/${accountId}`;
  const users = await listAll<User>(base, `${path}/users`, token);
  const byId = new Map(users.map((u) => [u.id, u]));
  const fields = (u: Pick<Tracked, 'firstName' | 'lastName' | 'qualification' | 'status'>) =>
    JSON.stringify([u.firstName, u.lastName, u.qualification, u.status]);

  for (const [id, expected] of model.users) {
    const actual = byId.get(id);
    if (!actual) {
      lost.push(`user ${expected.email} (${id}) was acknowledged but is gone`);
      continue;
    }
    if (actual.email !== expected.email) lost.push(`user ${id}: email ${actual.email}, acknowledged ${expected.email}`);
    const alternative = model.pending.get(id);
    if (fields(actual) === fields(expected)) {
      if (actual.version !== expected.version) lost.push(`user ${id}: version ${actual.version}, acknowledged ${expected.version} and nothing else`);
    } else if (!alternative || fields(actual) !== fields(alternative) || actual.version < alternative.version) {
      lost.push(`user ${id}: ${fields(actual)} v${actual.version}, acknowledged ${fields(expected)} v${expected.version}`);
    }
    model.users.set(id, fromUser(actual, expected.worker));
  }
  // A user nobody acknowledged may only be an invite that was in flight at the kill.
  for (const user of users) {
    if (model.users.has(user.id) || user.role === 'owner') continue;
    const worker = model.pendingInvites.get(user.email);
    if (worker === undefined) lost.push(`user ${user.email} (${user.id}) exists but was never sent`);
    else model.users.set(user.id, fromUser(user, worker));
  }
  model.pending.clear();
  model.pendingInvites.clear();

  // Counts agree with the users, and the invariant holds.
  const account = (await http<Account>(base, 'GET', path, { token: PROCESS_API_KEY })).body;
  const count = (status: Status) => users.filter((u) => u.status === status).length;
  assert.equal(account.licenses.enabled, count('enabled'));
  assert.equal(account.licenses.invited, count('invited'));
  assert.ok(account.licenses.inUse <= account.licenses.quantity);

  // License quantity: the acknowledged one, or the one in flight. Retrying the in-flight purchase
  // with its Idempotency-Key (as a client would) settles it either way.
  const quantity = account.licenses.quantity;
  const inFlight = model.pendingIncrease;
  if (inFlight) {
    if (quantity !== model.quantity && quantity !== inFlight.body.quantity) lost.push(`quantity ${quantity}, acknowledged ${model.quantity}`);
    const retry = await http(base, 'POST', `${path}/licenses`, { token, body: inFlight.body, headers: { 'Idempotency-Key': inFlight.key } });
    if (retry.status === 200) {
      const replayed = retry.headers.get('Idempotent-Replayed') === 'true';
      if (replayed !== (quantity === inFlight.body.quantity)) lost.push(`retry of the purchase in flight: replayed=${replayed} but the quantity was ${quantity}`);
      model.quantity = inFlight.body.quantity;
      model.increases++;
    } else if (!(retry.status === 409 && retry.body?.code === 'quote_changed' && quantity === model.quantity)) {
      lost.push(`retry of the purchase in flight: ${retry.status} ${JSON.stringify(retry.body)}`);
    }
    model.pendingIncrease = null;
  } else if (quantity !== model.quantity) {
    lost.push(`quantity ${quantity}, acknowledged ${model.quantity}`);
  }
  const invoices = await http(base, 'GET', `${path}/invoices?limit=1`, { token });
  assert.equal(invoices.status, 200);
  if (invoices.body.total !== model.increases) lost.push(`${invoices.body.total} proration invoices for ${model.increases} increases`);
  return lost;
}

describe('crash safety of the server process (SIGKILL during a write load)', () => {
  it(`keeps every acknowledged write and valid files through ${ROUNDS} kill/restart rounds`, { timeout: 30_000 + ROUNDS * 15_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-crash-'));
    let server: ServerProcess | undefined;
    t.after(async () => {
      await server?.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const env = { SEATKIT_DB: dir, SEATKIT_RATE_LIMITS: 'off', SEATKIT_LOG_REQUESTS: 'off' };
    server = await startServerProcess(env);
    const { accountId, ownerToken } = await createAccountOver(server.url, { quantity: START_QUANTITY });
    const model: Model = {
      users: new Map(),
      pending: new Map(),
      pendingInvites: new Map(),
      quantity: START_QUANTITY,
      increases: 0,
      pendingIncrease: null,
    };
    const totals = { rounds: 0, acknowledged: 0, lost: 0, invalidFiles: 0, tornTails: 0, restartMs: [] as number[] };

    for (let round = 1; round <= ROUNDS; round++) {
      const stop: Stop = { now: false, acknowledged: 0 };
      const killAfter = 50 + Math.floor(Math.random() * 350);
      const load = writeLoad(server.url, accountId, ownerToken, model, round, stop);
      await loadFor(killAfter, stop);
      const killed = server;
      await killed.kill();
      const loadResult = await load;

      const beforeRestart = await checkFiles(dir, true);
      server = await startServerProcess(env);
      const afterRestart = await checkFiles(dir, false);
      const invalid = [...beforeRestart.invalid, ...afterRestart.invalid];
      const lost = await verify(server.url, accountId, ownerToken, model);

      totals.rounds++;
      totals.acknowledged += loadResult.acknowledged;
      totals.lost += lost.length;
      totals.invalidFiles += invalid.length;
      totals.tornTails += beforeRestart.tornTails;
      totals.restartMs.push(Math.round(server.readyMs));
      console.log(
        `crash-round ${JSON.stringify({
          round,
          killAfterMs: killAfter,
          acknowledged: loadResult.acknowledged,
          ...loadResult.byKind,
          lost: lost.length,
          invalidFiles: invalid.length,
          tornTails: beforeRestart.tornTails,
          files: afterRestart.files,
          users: model.users.size,
          restartMs: Math.round(server.readyMs),
          listeningMs: Math.round(server.listeningMs),
        })}`,
      );
      assert.deepEqual(loadResult.unexpected, [], 'every request of the load got the answer it expected, until the kill');
      assert.deepEqual(invalid, [], 'every file is readable');
      assert.deepEqual(lost, [], 'every acknowledged write survived');
      assert.ok(loadResult.acknowledged > 0, 'the load got writes acknowledged before the kill');
    }
    const sorted = [...totals.restartMs].sort((a, b) => a - b);
    console.log(
      `crash-total ${JSON.stringify({ ...totals, restartMs: undefined, restartMsMedian: sorted[Math.floor(sorted.length / 2)], restartMsMax: sorted.at(-1) })}`,
    );
  });
});

describe('restarts through npm run server (kill -9 of the process group, then an immediate restart)', () => {
  it(`starts every time and keeps every acknowledged write through ${RESTART_ROUNDS} rounds`, { timeout: 60_000 + RESTART_ROUNDS * 20_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-restart-'));
    let server: ServerProcess | undefined;
    t.after(async () => {
      await server?.kill();
      await rm(dir, { recursive: true, force: true });
    });
    const env = { SEATKIT_DB: dir, SEATKIT_RATE_LIMITS: 'off', SEATKIT_LOG_REQUESTS: 'off' };
    server = await startServerProcess(env, { viaNpm: true });
    const { accountId, ownerToken } = await createAccountOver(server.url, { quantity: START_QUANTITY });
    const model: Model = { users: new Map(), pending: new Map(), pendingInvites: new Map(), quantity: START_QUANTITY, increases: 0, pendingIncrease: null };
    const totals = { rounds: 0, refusedStarts: 0, acknowledged: 0, lost: 0 };
    for (let round = 1; round <= RESTART_ROUNDS; round++) {
      const stop: Stop = { now: false, acknowledged: 0 };
      const load = writeLoad(server.url, accountId, ownerToken, model, round, stop);
      await loadFor(100 + Math.floor(Math.random() * 300), stop);
      // The next server starts at once: it must not wait for, or be refused by, the killed one.
      const killed = server.kill();
      let next: ServerProcess | undefined;
      try {
        next = await startServerProcess(env, { viaNpm: true });
      } catch (error) {
        totals.refusedStarts++;
        throw error;
      } finally {
        await killed;
      }
      server = next;
      const loadResult = await load;
      const lost = await verify(server.url, accountId, ownerToken, model);
      totals.rounds++;
      totals.acknowledged += loadResult.acknowledged;
      totals.lost += lost.length;
      assert.deepEqual(lost, [], 'every acknowledged write survived');
      assert.ok(loadResult.acknowledged > 0, 'the load got writes acknowledged before the kill');
    }
    console.log(`restart-total ${JSON.stringify(totals)}`);
  });
});
