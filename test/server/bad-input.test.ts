/**
 * Bad input never changes anything and never yields a 5xx (docs/api.md): every case is a request that
 * must be refused with one problem+json answer, and the accounts, the audit log, the invoices and
 * the outbox must read exactly the same afterwards.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { API_KEY, makeHarness, type Harness, type Reply } from '../helpers/api.js';

const FROZEN = '2026-05-15T00:00:00.000Z';

interface Party {
  accountId: string;
  base: string;
  ownerId: string;
  ownerToken: string;
}

interface Fixture {
  h: Harness;
  /** The account the cases aim at (it has a test clock and one license free). */
  a: Party;
  /** Another account: its ids are foreign to `a`. */
  b: Party;
  adminToken: string;
  memberId: string;
  memberToken: string;
  /** Activated, then unassigned: a license could be assigned to it. */
  disabledId: string;
  pendingToken: string;
  foreignUserId: string;
  /** The amount a quote for 6 licenses answers: a change sent with it would succeed. */
  amountFor6: number;
  eventsCursor: string;
  usersByNameCursor: string;
}

async function setUp(): Promise<Fixture> {
  const h = makeHarness({ rateLimits: false });
  const a = await h.createAccount({
    licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
    testClock: { frozenTime: FROZEN },
  });
  const admin = await h.addUser(a.accountId, a.ownerToken, { email: 'admin@acme.example', role: 'admin' });
  const member = await h.addUser(a.accountId, a.ownerToken, { email: 'member@acme.example' });
  const leaver = await h.addUser(a.accountId, a.ownerToken, { email: 'leaver@acme.example' });
  const unassigned = await h.request('DELETE', `${a.base}/users/${leaver.user.id}/license`, { token: a.ownerToken });
  assert.equal(unassigned.status, 200);
  await h.addUser(a.accountId, a.ownerToken, { email: 'pending@acme.example' }, false);
  const pendingToken = await h.invitationToken('pending@acme.example');

  const b = await h.createAccount({ name: 'Globex', owner: { email: 'owner@globex.example', firstName: 'Gus', lastName: 'Globex' } });
  const foreign = await h.addUser(b.accountId, b.ownerToken, { email: 'worker@globex.example' });

  const quote = await h.request('GET', `${a.base}/licenses/quote?quantity=6`, { token: a.ownerToken });
  assert.equal(quote.status, 200);
  const events = await h.request('GET', `${a.base}/events?limit=1`, { token: a.ownerToken });
  const users = await h.request('GET', `${a.base}/users?limit=1&sort=name`, { token: a.ownerToken });
  assert.equal(typeof events.body.nextCursor, 'string');
  assert.equal(typeof users.body.nextCursor, 'string');

  // Each token's first request records lastActiveAt; spend it now, so the cases read a still state.
  for (const token of [admin.token, member.token, foreign.token]) await h.request('GET', `/v1/accounts/${a.accountId}`, { token });
  await h.request('GET', b.base, { token: b.ownerToken });
  // …and commit it (it is committed within a second, not by the request).
  await h.app.jobs.run('activity');

  const party = (p: typeof a): Party => ({ accountId: p.accountId, base: p.base, ownerId: p.owner.id, ownerToken: p.ownerToken });
  return {
    h,
    a: party(a),
    b: party(b),
    adminToken: admin.token!,
    memberId: member.user.id,
    memberToken: member.token!,
    disabledId: leaver.user.id,
    pendingToken,
    foreignUserId: foreign.user.id,
    amountFor6: quote.body.amountDue,
    eventsCursor: events.body.nextCursor,
    usersByNameCursor: users.body.nextCursor,
  };
}

/** Everything a bad request could have changed, read through the API (and the store for sessions and keys). */
async function snapshot(f: Fixture) {
  const { h } = f;
  const accounts = [];
  for (const p of [f.a, f.b]) {
    const read = async (path: string) => {
      const res = await h.request('GET', `${p.base}${path}`, { token: p.ownerToken });
      assert.equal(res.status, 200, `snapshot GET ${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const doc = await h.store.get(p.accountId);
    accounts.push({
      account: await read(''),
      users: (await read('/users?limit=200')).data,
      events: (await read('/events?limit=1')).total,
      invoices: (await read('/invoices?limit=1')).total,
      sessions: doc!.sessions.size,
      idempotencyKeys: Object.keys(doc!.idempotency).length,
    });
  }
  return { accounts, outbox: (await h.outbox()).total, objectPrototype: Object.getOwnPropertyNames(Object.prototype).sort() };
}

function assertProblem(res: Reply, status: number, code: string, orCode?: string): void {
  const shown = `${res.status} ${JSON.stringify(res.body)?.slice(0, 500)}`;
  assert.ok(res.status < 500, `never a 5xx: ${shown}`);
  assert.equal(res.status, status, shown);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, shown);
  for (const member of ['type', 'title', 'detail', 'code', 'requestId']) {
    assert.equal(typeof res.body?.[member], 'string', `problem member ${member}: ${shown}`);
  }
  assert.equal(res.body.status, status, shown);
  assert.ok(res.body.code === code || (orCode !== undefined && res.body.code === orCode), `code ${code}${orCode ? ` or ${orCode}` : ''}: ${shown}`);
  assert.equal(res.headers.get('x-request-id'), res.body.requestId);
  if (res.body.code === 'validation_failed') {
    assert.ok(typeof res.body.errors === 'object' && Object.keys(res.body.errors).length > 0, `validation_failed comes with errors (docs/api.md): ${shown}`);
  }
}

interface Case {
  name: string;
  status: number;
  code: string;
  /** Another code the API allows for this case (where it reads two ways). */
  orCode?: string;
  /** For validation_failed: the field that `errors` must name. */
  field?: string;
  /** What `errors[field]` must say (what is wrong with the value). */
  message?: string;
  send: (f: Fixture) => Promise<Reply>;
  /** A request the case must be answered exactly like (status, code, detail): a foreign id like a missing one. */
  like?: (f: Fixture) => Promise<Reply>;
}

type Send = Case['send'];

const JSON_TYPE = { 'Content-Type': 'application/json' };
const MISSING_USER = 'usr_doesNotExist0000000000';

const validInvite = { email: 'new.person@acme.example', firstName: 'New', lastName: 'Person' };
const validAccount = {
  name: 'Initech',
  licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
  owner: { email: 'peter@initech.example', firstName: 'Peter', lastName: 'Gibbons' },
};

const invite =
  (body: unknown): Send =>
  (f) =>
    f.h.request('POST', `${f.a.base}/invitations`, { token: f.a.ownerToken, body });
const inviteWith = (patch: Record<string, unknown>) => invite({ ...validInvite, ...patch });
const inviteRaw =
  (raw: string, headers: Record<string, string> = JSON_TYPE): Send =>
  (f) =>
    f.h.request('POST', `${f.a.base}/invitations`, { token: f.a.ownerToken, raw, headers });
const createAccount =
  (body: unknown): Send =>
  (f) =>
    f.h.request('POST', '/v1/accounts', { token: API_KEY, body });
const createAccountRaw =
  (raw: string): Send =>
  (f) =>
    f.h.request('POST', '/v1/accounts', { token: API_KEY, raw, headers: JSON_TYPE });
const licensesWith = (patch: Record<string, unknown>) => createAccount({ ...validAccount, licenses: { ...validAccount.licenses, ...patch } });
/** PATCH of the member, with its current ETag, by the owner. */
const patchMember =
  (body: unknown): Send =>
  async (f) => {
    const current = await f.h.request('GET', `${f.a.base}/users/${f.memberId}`, { token: f.a.ownerToken });
    return f.h.request('PATCH', `${f.a.base}/users/${f.memberId}`, {
      token: f.a.ownerToken,
      body,
      headers: { 'If-Match': current.headers.get('etag')! },
    });
  };
/** A license change that would succeed but for what `patch` breaks. */
const changeLicenses =
  (patch: Record<string, unknown>, headers: Record<string, string> = { 'Idempotency-Key': 'bad-input-change' }): Send =>
  (f) =>
    f.h.request('POST', `${f.a.base}/licenses`, {
      token: f.a.ownerToken,
      body: { quantity: 6, acceptAgreement: true, expectedAmountDue: f.amountFor6, ...patch },
      headers,
    });
const session =
  (body: unknown): Send =>
  (f) =>
    f.h.request('POST', `${f.a.base}/sessions`, { token: API_KEY, body });
const advanceClock =
  (advanceTo: unknown, party: 'a' | 'b' = 'a'): Send =>
  (f) =>
    f.h.request('POST', `${f[party].base}/test-clock`, { token: API_KEY, body: { advanceTo } });
/** A GET of this account's path (after the account id) as its owner. */
const get =
  (path: string | ((f: Fixture) => string)): Send =>
  (f) =>
    f.h.request('GET', `${f.a.base}${typeof path === 'string' ? path : path(f)}`, { token: f.a.ownerToken });
const withAuthorization =
  (authorization: string): Send =>
  (f) =>
    f.h.request('GET', f.a.base, { headers: { Authorization: authorization } });

const nested = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const inviteJson = (extra: string) => `{"email":"new.person@acme.example","firstName":"New","lastName":"Person"${extra}}`;

const cases: Case[] = [
  // ---- body format ----
  { name: 'malformed JSON (cut short) on invite', status: 400, code: 'invalid_json', send: inviteRaw('{"email":"a@acme.example",') },
  { name: 'malformed JSON (trailing comma) on account creation', status: 400, code: 'invalid_json', send: createAccountRaw('{"name":"X",}') },
  { name: 'malformed JSON (single quotes) on a license change', status: 400, code: 'invalid_json', send: (f) => f.h.request('POST', `${f.a.base}/licenses`, { token: f.a.ownerToken, raw: "{'quantity':6}", headers: { ...JSON_TYPE, 'Idempotency-Key': 'k1' } }) },
  { name: 'a JSON body sent as text/plain', status: 415, code: 'unsupported_media_type', send: inviteRaw(JSON.stringify(validInvite), { 'Content-Type': 'text/plain' }) },
  { name: 'a form-encoded body', status: 415, code: 'unsupported_media_type', send: inviteRaw('email=new.person%40acme.example&firstName=New&lastName=Person', { 'Content-Type': 'application/x-www-form-urlencoded' }) },
  { name: 'a JSON body with no content type on a bodiless route (PUT license)', status: 415, code: 'unsupported_media_type', send: (f) => f.h.request('PUT', `${f.a.base}/users/${f.disabledId}/license`, { token: f.a.ownerToken, raw: new Blob(['{}']) }) },
  { name: 'a body over 64 KiB', status: 413, code: 'payload_too_large', send: inviteRaw(inviteJson(`,"qualification":"${'x'.repeat(70 * 1024)}"`)) },
  { name: 'a body over 64 KiB on account creation', status: 413, code: 'payload_too_large', send: createAccountRaw(JSON.stringify({ ...validAccount, name: 'n'.repeat(65 * 1024) })) },
  { name: 'JSON nested 5000 levels inside an unknown field', status: 400, code: 'validation_failed', field: 'deep', send: inviteRaw(inviteJson(`,"deep":${nested(5000)}`)) },
  { name: 'JSON nested 5000 levels (objects) inside an unknown field', status: 400, code: 'validation_failed', field: 'deep', send: inviteRaw(inviteJson(`,"deep":${nestedObject(5000)}`)) },
  { name: 'JSON nested 5000 levels inside a known field (email)', status: 400, code: 'validation_failed', field: 'email', send: inviteRaw(`{"email":${nested(5000, '"a@acme.example"')},"firstName":"New","lastName":"Person"}`) },
  { name: 'JSON nested 5000 levels inside a known object (licenses)', status: 400, code: 'validation_failed', send: createAccountRaw(JSON.stringify({ ...validAccount, licenses: null }).replace('null', nestedObject(5000))) },
  { name: 'JSON nested 30000 levels inside a known field (just under 64 KiB)', status: 400, code: 'validation_failed', field: 'email', send: inviteRaw(`{"email":${nested(30_000, '"a@acme.example"')},"firstName":"New","lastName":"Person"}`) },
  // Duplicate keys: which one counts differs between parsers (and between the server and a proxy or WAF in front of it).
  { name: 'a duplicate key at the top level', status: 400, code: 'invalid_json', send: (f) => f.h.request('POST', `${f.a.base}/licenses`, { token: f.a.ownerToken, raw: `{"quantity":6,"quantity":7,"acceptAgreement":true,"expectedAmountDue":${f.amountFor6}}`, headers: { ...JSON_TYPE, 'Idempotency-Key': 'dup-top' } }) },
  { name: 'a duplicate key written with an escape ("\\u0071uantity")', status: 400, code: 'invalid_json', send: (f) => f.h.request('POST', `${f.a.base}/licenses`, { token: f.a.ownerToken, raw: `{"quantity":6,"\\u0071uantity":7,"acceptAgreement":true,"expectedAmountDue":${f.amountFor6}}`, headers: { ...JSON_TYPE, 'Idempotency-Key': 'dup-escaped' } }) },
  { name: 'a duplicate key in a nested object (licenses.quantity)', status: 400, code: 'invalid_json', send: createAccountRaw(JSON.stringify(validAccount).replace('"quantity":3', '"quantity":3,"quantity":4')) },
  { name: 'a duplicate key in an object inside a list', status: 400, code: 'invalid_json', send: inviteRaw(inviteJson(',"extra":[{"a":1},{"b":1,"b":2}]')) },
  // An empty body is not JSON (invalid_json), or no body at all (validation_failed naming the required fields).
  { name: 'an empty body sent as application/json where one is required', status: 400, code: 'invalid_json', orCode: 'validation_failed', field: 'email', send: inviteRaw('') },
  { name: 'a whitespace-only body sent as application/json', status: 400, code: 'invalid_json', send: inviteRaw('  \n ') },
  { name: 'a top-level JSON string instead of an object', status: 400, code: 'validation_failed', send: inviteRaw('"hello"') },
  { name: 'a top-level JSON null on invite', status: 400, code: 'validation_failed', send: inviteRaw('null') },
  { name: 'an empty JSON body where one is required', status: 400, code: 'validation_failed', send: inviteRaw('{}') },

  // ---- prototype keys ----
  { name: '"__proto__" key at the top level', status: 400, code: 'validation_failed', field: '__proto__', send: inviteRaw(inviteJson(',"__proto__":{"polluted":"yes","role":"owner"}')) },
  { name: '"constructor" key at the top level', status: 400, code: 'validation_failed', field: 'constructor', send: inviteRaw(inviteJson(',"constructor":{"prototype":{"polluted":"yes"}}')) },
  { name: '"prototype" key at the top level', status: 400, code: 'validation_failed', field: 'prototype', send: inviteRaw(inviteJson(',"prototype":{"polluted":"yes"}')) },
  { name: '"__proto__" key nested in owner', status: 400, code: 'validation_failed', field: 'owner.__proto__', send: createAccountRaw(JSON.stringify(validAccount).replace('"owner":{', '"owner":{"__proto__":{"polluted":"yes"},')) },
  { name: '"constructor" key nested in licenses', status: 400, code: 'validation_failed', field: 'licenses.constructor', send: createAccountRaw(JSON.stringify(validAccount).replace('"licenses":{', '"licenses":{"constructor":{"prototype":{"polluted":"yes"}},')) },
  { name: '"__proto__" key in a user edit', status: 400, code: 'validation_failed', field: '__proto__', send: async (f) => {
    const current = await f.h.request('GET', `${f.a.base}/users/${f.memberId}`, { token: f.a.ownerToken });
    return f.h.request('PATCH', `${f.a.base}/users/${f.memberId}`, { token: f.a.ownerToken, raw: '{"__proto__":{"role":"owner"},"firstName":"Eve"}', headers: { ...JSON_TYPE, 'If-Match': current.headers.get('etag')! } });
  } },
  { name: '"__proto__" key in an Idempotency-Key-protected change', status: 400, code: 'validation_failed', field: '__proto__', send: (f) => f.h.request('POST', `${f.a.base}/licenses`, { token: f.a.ownerToken, raw: `{"quantity":6,"acceptAgreement":true,"expectedAmountDue":${f.amountFor6},"__proto__":{"polluted":"yes"}}`, headers: { ...JSON_TYPE, 'Idempotency-Key': 'proto' } }) },

  // ---- unknown fields ----
  { name: 'unknown top-level field on invite', status: 400, code: 'validation_failed', field: 'isAdmin', send: inviteWith({ isAdmin: true }) },
  { name: 'unknown nested field on account creation (licenses.discount)', status: 400, code: 'validation_failed', field: 'licenses.discount', send: licensesWith({ discount: 50 }) },
  { name: 'unknown nested field on account creation (owner.role)', status: 400, code: 'validation_failed', field: 'owner.role', send: createAccount({ ...validAccount, owner: { ...validAccount.owner, role: 'admin' } }) },
  { name: 'unknown field on a user edit (status)', status: 400, code: 'validation_failed', field: 'status', send: patchMember({ status: 'disabled' }) },
  { name: 'unknown field on a reassign', status: 400, code: 'validation_failed', field: 'force', send: (f) => f.h.request('POST', `${f.a.base}/license-transfers`, { token: f.a.ownerToken, body: { fromUserId: f.memberId, toUserId: f.disabledId, force: true } }) },
  { name: 'unknown field on a session (role)', status: 400, code: 'validation_failed', field: 'role', send: (f) => session({ userId: f.memberId, role: 'owner' })(f) },
  { name: 'unknown field on an invitation acceptance', status: 400, code: 'validation_failed', field: 'role', send: (f) => f.h.request('POST', `/v1/invitations/${f.pendingToken}/accept`, { body: { role: 'admin' } }) },
  { name: 'a JSON body on a bodiless route (PUT license)', status: 400, code: 'validation_failed', field: 'x', send: (f) => f.h.request('PUT', `${f.a.base}/users/${f.disabledId}/license`, { token: f.a.ownerToken, body: { x: 1 } }) },
  { name: 'a JSON body on a bodiless route (DELETE license)', status: 400, code: 'validation_failed', field: 'x', send: (f) => f.h.request('DELETE', `${f.a.base}/users/${f.memberId}/license`, { token: f.a.ownerToken, body: { x: 1 } }) },
  { name: 'a JSON body on a bodiless route (resend)', status: 400, code: 'validation_failed', field: 'x', send: async (f) => {
    const pending = (await f.h.request('GET', `${f.a.base}/users?status=invited`, { token: f.a.ownerToken })).body.data[0];
    return f.h.request('POST', `${f.a.base}/users/${pending.id}/invitation/resend`, { token: f.a.ownerToken, body: { x: 1 } });
  } },

  // ---- text: control and format characters, limits ----
  { name: 'NUL (\\u0000) in firstName', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: 'Ne\u0000w' }) },
  { name: 'BEL (\\u0007) in lastName', status: 400, code: 'validation_failed', field: 'lastName', send: inviteWith({ lastName: 'Per\u0007son' }) },
  { name: 'CR/LF in qualification', status: 400, code: 'validation_failed', field: 'qualification', send: inviteWith({ qualification: 'Engineer\r\nBcc: x@evil.example' }) },
  { name: 'LF alone in a name', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: 'New\nLine' }) },
  { name: 'LINE SEPARATOR (\\u2028) in firstName', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: 'New\u2028' }) },
  { name: 'ZERO WIDTH SPACE (\\u200B) in email', status: 400, code: 'validation_failed', field: 'email', send: inviteWith({ email: 'new\u200B.person@acme.example' }) },
  { name: 'RIGHT-TO-LEFT OVERRIDE (\\u202E) in qualification', status: 400, code: 'validation_failed', field: 'qualification', send: inviteWith({ qualification: 'Engineer \u202Etpircs' }) },
  { name: 'SOFT HYPHEN (\\u00AD, a format character) in lastName', status: 400, code: 'validation_failed', field: 'lastName', send: inviteWith({ lastName: 'Per\u00ADson' }) },
  { name: 'BYTE ORDER MARK (\\uFEFF) at the start of firstName', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: '\uFEFFNew' }) },
  { name: 'NEXT LINE (\\u0085) in qualification', status: 400, code: 'validation_failed', field: 'qualification', send: inviteWith({ qualification: 'Engineer\u0085' }) },
  { name: 'PARAGRAPH SEPARATOR (\\u2029) in qualification', status: 400, code: 'validation_failed', field: 'qualification', send: inviteWith({ qualification: 'Engineer\u2029' }) },
  { name: 'NUL (\\u0000) in email', status: 400, code: 'validation_failed', field: 'email', send: inviteWith({ email: 'new.person@acme.example\u0000' }) },
  { name: 'ZERO WIDTH SPACE (\\u200B) in a name edit', status: 400, code: 'validation_failed', field: 'lastName', send: patchMember({ lastName: 'Mem\u200Bber' }) },
  { name: 'control character in the account name', status: 400, code: 'validation_failed', field: 'name', send: createAccount({ ...validAccount, name: 'Init\u0007ech' }) },
  { name: 'a name of only HANGUL FILLER (\\u3164, a letter that renders as nothing)', status: 400, code: 'validation_failed', field: 'firstName', message: 'Needs at least one letter or digit', send: inviteWith({ firstName: '\u3164' }) },
  { name: 'a name of only HALFWIDTH HANGUL FILLER (\\uFFA0)', status: 400, code: 'validation_failed', field: 'lastName', message: 'Needs at least one letter or digit', send: inviteWith({ lastName: '\uFFA0\uFFA0' }) },
  { name: 'a name of only BRAILLE PATTERN BLANK (\\u2800)', status: 400, code: 'validation_failed', field: 'firstName', message: 'Needs at least one letter or digit', send: patchMember({ firstName: '\u2800' }) },
  { name: 'a name of a combining mark alone', status: 400, code: 'validation_failed', field: 'firstName', message: 'Needs at least one letter or digit', send: patchMember({ firstName: '\u0301' }) },
  { name: 'an account name of only HANGUL CHOSEONG FILLER (\\u115F)', status: 400, code: 'validation_failed', field: 'name', message: 'Needs at least one letter or digit', send: createAccount({ ...validAccount, name: '\u115F\u1160' }) },
  { name: 'a private-use character (\\uE000) in a name', status: 400, code: 'validation_failed', field: 'lastName', message: 'Contains characters that are not allowed', send: inviteWith({ lastName: 'Person\uE000' }) },
  { name: 'a noncharacter (\\uFDD0) in a qualification', status: 400, code: 'validation_failed', field: 'qualification', message: 'Contains characters that are not allowed', send: inviteWith({ qualification: 'Engineer \uFDD0' }) },
  { name: 'an unassigned code point (\\u0378) in a name', status: 400, code: 'validation_failed', field: 'firstName', message: 'Contains characters that are not allowed', send: inviteWith({ firstName: 'Ne\u0378w' }) },
  { name: 'control character in a name at acceptance', status: 400, code: 'validation_failed', field: 'firstName', send: (f) => f.h.request('POST', `/v1/invitations/${f.pendingToken}/accept`, { body: { firstName: 'Pen\u0000ding' } }) },
  { name: 'email of 255 characters', status: 400, code: 'validation_failed', field: 'email', send: inviteWith({ email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` }) },
  { name: 'email local part of 65 characters', status: 400, code: 'validation_failed', field: 'email', send: inviteWith({ email: `${'a'.repeat(65)}@acme.example` }) },
  { name: 'email that is not an address', status: 400, code: 'validation_failed', field: 'email', send: inviteWith({ email: 'not-an-email' }) },
  { name: 'firstName of 101 characters', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: 'n'.repeat(101) }) },
  { name: 'lastName of 101 characters in an edit', status: 400, code: 'validation_failed', field: 'lastName', send: patchMember({ lastName: 'n'.repeat(101) }) },
  { name: 'qualification of 101 characters', status: 400, code: 'validation_failed', field: 'qualification', send: inviteWith({ qualification: 'q'.repeat(101) }) },
  { name: 'empty firstName', status: 400, code: 'validation_failed', field: 'firstName', send: inviteWith({ firstName: '' }) },
  { name: 'whitespace-only lastName', status: 400, code: 'validation_failed', field: 'lastName', send: inviteWith({ lastName: '   ' }) },
  { name: 'empty account name', status: 400, code: 'validation_failed', field: 'name', send: createAccount({ ...validAccount, name: '' }) },
  { name: 'missing lastName', status: 400, code: 'validation_failed', field: 'lastName', message: 'Required', send: invite({ email: validInvite.email, firstName: 'New' }) },

  // ---- wrong types ----
  { name: 'email as a number', status: 400, code: 'validation_failed', field: 'email', message: 'Expected a string, got 42', send: inviteWith({ email: 42 }) },
  { name: 'quantity as a string', status: 400, code: 'validation_failed', field: 'licenses.quantity', message: 'Expected a number, got a string', send: licensesWith({ quantity: '5' }) },
  { name: 'firstName null', status: 400, code: 'validation_failed', field: 'firstName', message: 'Expected a string, got null', send: inviteWith({ firstName: null }) },
  { name: 'email as an array', status: 400, code: 'validation_failed', field: 'email', message: 'Expected a string, got a list', send: inviteWith({ email: ['new.person@acme.example'] }) },
  { name: 'lastName as a boolean', status: 400, code: 'validation_failed', field: 'lastName', message: 'Expected a string, got true', send: inviteWith({ lastName: true }) },
  { name: 'owner as a string', status: 400, code: 'validation_failed', field: 'owner', message: 'Expected an object, got a string', send: createAccount({ ...validAccount, owner: 'peter@initech.example' }) },
  { name: 'userId as a number in a transfer', status: 400, code: 'validation_failed', field: 'userId', send: (f) => f.h.request('POST', `${f.a.base}/owner`, { token: f.a.ownerToken, body: { userId: 7 } }) },
  { name: 'acceptAgreement as the string "true"', status: 400, code: 'validation_failed', field: 'acceptAgreement', message: 'Expected true or false, got a string', send: changeLicenses({ acceptAgreement: 'true' }) },
  { name: 'quantity as the string "5" in a license change', status: 400, code: 'validation_failed', field: 'quantity', message: 'Expected a number, got a string', send: changeLicenses({ quantity: '5' }) },
  { name: 'a whole body that is a list', status: 400, code: 'validation_failed', field: 'body', message: 'Expected an object, got a list', send: inviteRaw('[]') },

  // ---- numbers out of range ----
  { name: 'quantity 0 at account creation', status: 400, code: 'validation_failed', field: 'licenses.quantity', message: 'Must be at least 1', send: licensesWith({ quantity: 0 }) },
  { name: 'quantity -1 in a license change', status: 400, code: 'validation_failed', field: 'quantity', send: changeLicenses({ quantity: -1 }) },
  { name: 'quantity 100001 in a license change', status: 400, code: 'validation_failed', field: 'quantity', message: 'Must be at most 100000', send: changeLicenses({ quantity: 100_001 }) },
  { name: 'quantity 1.5 in a license change', status: 400, code: 'validation_failed', field: 'quantity', message: 'Expected a whole number, got 1.5', send: changeLicenses({ quantity: 1.5 }) },
  { name: 'quantity 1e309 (Infinity once parsed) as raw JSON', status: 400, code: 'validation_failed', field: 'quantity', send: (f) => f.h.request('POST', `${f.a.base}/licenses`, { token: f.a.ownerToken, raw: `{"quantity":1e309,"acceptAgreement":true,"expectedAmountDue":${f.amountFor6}}`, headers: { ...JSON_TYPE, 'Idempotency-Key': 'inf' } }) },
  { name: 'quantity 1e309 at account creation', status: 400, code: 'validation_failed', field: 'licenses.quantity', send: createAccountRaw(JSON.stringify(validAccount).replace('"quantity":3', '"quantity":1e309')) },
  { name: 'expectedAmountDue -1', status: 400, code: 'validation_failed', field: 'expectedAmountDue', send: changeLicenses({ expectedAmountDue: -1 }) },
  { name: 'unitPrice over 100,000,000', status: 400, code: 'validation_failed', field: 'licenses.unitPrice', send: licensesWith({ unitPrice: 100_000_001 }) },
  { name: 'unitPrice negative', status: 400, code: 'validation_failed', field: 'licenses.unitPrice', send: licensesWith({ unitPrice: -1 }) },
  { name: 'session ttlSeconds 10', status: 400, code: 'validation_failed', field: 'ttlSeconds', send: (f) => session({ userId: f.memberId, ttlSeconds: 10 })(f) },
  { name: 'session ttlSeconds 999999', status: 400, code: 'validation_failed', field: 'ttlSeconds', send: (f) => session({ userId: f.memberId, ttlSeconds: 999_999 })(f) },
  { name: 'session ttlSeconds 86401 (over 24 h)', status: 400, code: 'validation_failed', field: 'ttlSeconds', send: (f) => session({ userId: f.memberId, ttlSeconds: 86_401 })(f) },
  { name: 'session ttlSeconds as a string', status: 400, code: 'validation_failed', field: 'ttlSeconds', send: (f) => session({ userId: f.memberId, ttlSeconds: '3600' })(f) },
  { name: 'session with both userId and email', status: 400, code: 'validation_failed', send: (f) => session({ userId: f.memberId, email: 'member@acme.example' })(f) },
  { name: 'session with neither userId nor email', status: 400, code: 'validation_failed', send: session({}) },

  // ---- enumerations ----
  { name: "currency 'usd' (lower case)", status: 400, code: 'validation_failed', field: 'licenses.currency', send: licensesWith({ currency: 'usd' }) },
  { name: "currency 'XXXX'", status: 400, code: 'validation_failed', field: 'licenses.currency', send: licensesWith({ currency: 'XXXX' }) },
  { name: "currency 'ABC' (not ISO 4217)", status: 400, code: 'validation_failed', field: 'licenses.currency', send: licensesWith({ currency: 'ABC' }) },
  { name: "interval 'week'", status: 400, code: 'validation_failed', field: 'licenses.interval', send: licensesWith({ interval: 'week' }) },
  { name: "invite with role 'owner'", status: 400, code: 'validation_failed', field: 'role', send: inviteWith({ role: 'owner' }) },
  { name: "user edit with role 'owner'", status: 400, code: 'validation_failed', field: 'role', send: patchMember({ role: 'owner' }) },
  { name: 'user edit of the email', status: 400, code: 'validation_failed', field: 'email', send: patchMember({ email: 'changed@acme.example' }) },

  // ---- license change headers ----
  { name: 'Idempotency-Key of 256 characters', status: 400, code: 'validation_failed', send: changeLicenses({}, { 'Idempotency-Key': 'k'.repeat(256) }) },
  { name: 'an empty Idempotency-Key', status: 400, code: 'validation_failed', send: changeLicenses({}, { 'Idempotency-Key': '' }) },
  { name: 'license change without Idempotency-Key', status: 400, code: 'idempotency_key_required', send: changeLicenses({}, {}) },
  { name: 'license change with acceptAgreement false', status: 422, code: 'agreement_required', send: changeLicenses({ acceptAgreement: false }) },

  // ---- list parameters ----
  { name: 'users ?limit=0', status: 400, code: 'validation_failed', field: 'limit', send: get('/users?limit=0') },
  { name: 'events ?limit=201', status: 400, code: 'validation_failed', field: 'limit', send: get('/events?limit=201') },
  { name: 'invoices ?limit=abc', status: 400, code: 'validation_failed', field: 'limit', send: get('/invoices?limit=abc') },
  { name: 'outbox ?limit=-1', status: 400, code: 'validation_failed', field: 'limit', send: (f) => f.h.request('GET', '/v1/outbox?limit=-1', { token: API_KEY }) },
  { name: 'history ?limit=1.5', status: 400, code: 'validation_failed', field: 'limit', send: get((f) => `/users/${f.memberId}/events?limit=1.5`) },
  { name: 'users ?limit= (empty)', status: 400, code: 'validation_failed', field: 'limit', send: get('/users?limit=') },
  { name: 'users ?limit given twice', status: 400, code: 'validation_failed', field: 'limit', send: get('/users?limit=1&limit=2') },
  { name: 'users ?q= longer than 200 characters', status: 400, code: 'validation_failed', field: 'q', send: get(`/users?q=${'q'.repeat(201)}`) },
  { name: 'users ?sort=foo', status: 400, code: 'validation_failed', field: 'sort', send: get('/users?sort=foo') },
  { name: 'users ?sort=--name', status: 400, code: 'validation_failed', field: 'sort', send: get('/users?sort=--name') },
  { name: 'users ?status=owner', status: 400, code: 'validation_failed', field: 'status', send: get('/users?status=owner') },
  { name: 'users ?status=foo', status: 400, code: 'validation_failed', field: 'status', send: get('/users?status=foo') },
  { name: 'users ?role=boss', status: 400, code: 'validation_failed', field: 'role', send: get('/users?role=boss') },
  { name: 'users ?cursor=garbage', status: 400, code: 'validation_failed', field: 'cursor', send: get('/users?cursor=garbage') },
  { name: 'events ?cursor=garbage', status: 400, code: 'validation_failed', field: 'cursor', send: get('/events?cursor=%%%') },
  { name: 'a cursor of the events list on the invoices list', status: 400, code: 'validation_failed', field: 'cursor', send: get((f) => `/invoices?cursor=${f.eventsCursor}`) },
  { name: 'a cursor of the events list on the users list', status: 400, code: 'validation_failed', field: 'cursor', send: get((f) => `/users?cursor=${f.eventsCursor}`) },
  { name: 'a users cursor of sort=name used with sort=email', status: 400, code: 'validation_failed', field: 'cursor', send: get((f) => `/users?sort=email&cursor=${f.usersByNameCursor}`) },
  { name: 'a forged cursor with a negative position', status: 400, code: 'validation_failed', field: 'cursor', send: get(`/events?cursor=${btoa(JSON.stringify({ list: 'events', after: -1 }))}`) },
  { name: 'a cursor longer than any the server makes', status: 400, code: 'validation_failed', field: 'cursor', send: get(`/events?cursor=${'A'.repeat(600)}`) },
  { name: "a cursor of the account's events on a user's history", status: 400, code: 'validation_failed', field: 'cursor', send: get((f) => `/users/${f.memberId}/events?cursor=${f.eventsCursor}`) },

  // ---- quote ----
  { name: 'quote without quantity', status: 400, code: 'validation_failed', field: 'quantity', send: get('/licenses/quote') },
  { name: 'quote ?quantity=0', status: 400, code: 'validation_failed', field: 'quantity', send: get('/licenses/quote?quantity=0') },
  { name: 'quote ?quantity=abc', status: 400, code: 'validation_failed', field: 'quantity', send: get('/licenses/quote?quantity=abc') },
  { name: 'quote ?quantity=100001', status: 400, code: 'validation_failed', field: 'quantity', send: get('/licenses/quote?quantity=100001') },

  // ---- test clock ----
  { name: 'test clock advanceTo that is not ISO 8601', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('next tuesday') },
  { name: 'test clock advanceTo backwards in time', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('2026-05-01T00:00:00.000Z') },
  { name: 'test clock advanceTo without a time zone', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('2026-06-01T00:00:00') },
  { name: 'test clock advanceTo at hour 25', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('2026-06-01T25:00:00Z') },
  { name: 'test clock advanceTo with offset +99:99', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('2026-06-01T00:00:00+99:99') },
  { name: 'test clock advanceTo an impossible date', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock('2026-02-30T00:00:00Z') },
  { name: 'test clock advanceTo as a number', status: 400, code: 'validation_failed', field: 'advanceTo', send: advanceClock(1_780_000_000_000) },
  { name: 'test clock on an account created without one', status: 409, code: 'test_clock_required', send: advanceClock('2026-06-01T00:00:00.000Z', 'b') },
  { name: 'account creation with a test clock that is not ISO 8601', status: 400, code: 'validation_failed', field: 'testClock.frozenTime', send: createAccount({ ...validAccount, testClock: { frozenTime: 'yesterday' } }) },

  // ---- foreign and malformed ids ----
  {
    name: "another account's user id in a GET path",
    status: 404,
    code: 'not_found',
    send: get((f) => `/users/${f.foreignUserId}`),
    like: get(`/users/${MISSING_USER}`),
  },
  {
    name: "another account's user id in an assign path",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('PUT', `${f.a.base}/users/${f.foreignUserId}/license`, { token: f.a.ownerToken }),
    like: (f) => f.h.request('PUT', `${f.a.base}/users/${MISSING_USER}/license`, { token: f.a.ownerToken }),
  },
  {
    name: "another account's user id in an unassign path",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('DELETE', `${f.a.base}/users/${f.foreignUserId}/license`, { token: f.a.ownerToken }),
    like: (f) => f.h.request('DELETE', `${f.a.base}/users/${MISSING_USER}/license`, { token: f.a.ownerToken }),
  },
  {
    name: "another account's user id in a history path",
    status: 404,
    code: 'not_found',
    send: get((f) => `/users/${f.foreignUserId}/events`),
    like: get(`/users/${MISSING_USER}/events`),
  },
  {
    name: "another account's user id in an edit path",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('PATCH', `${f.a.base}/users/${f.foreignUserId}`, { token: f.a.ownerToken, body: { firstName: 'Eve' }, headers: { 'If-Match': '*' } }),
    like: (f) => f.h.request('PATCH', `${f.a.base}/users/${MISSING_USER}`, { token: f.a.ownerToken, body: { firstName: 'Eve' }, headers: { 'If-Match': '*' } }),
  },
  {
    name: "another account's user id as fromUserId of a reassign",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('POST', `${f.a.base}/license-transfers`, { token: f.a.ownerToken, body: { fromUserId: f.foreignUserId, toUserId: f.disabledId } }),
    like: (f) => f.h.request('POST', `${f.a.base}/license-transfers`, { token: f.a.ownerToken, body: { fromUserId: MISSING_USER, toUserId: f.disabledId } }),
  },
  {
    name: "another account's user id as toUserId of a reassign",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('POST', `${f.a.base}/license-transfers`, { token: f.a.ownerToken, body: { fromUserId: f.memberId, toUserId: f.foreignUserId } }),
    like: (f) => f.h.request('POST', `${f.a.base}/license-transfers`, { token: f.a.ownerToken, body: { fromUserId: f.memberId, toUserId: MISSING_USER } }),
  },
  {
    name: "another account's user id as the target of an ownership transfer",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('POST', `${f.a.base}/owner`, { token: f.a.ownerToken, body: { userId: f.foreignUserId } }),
    like: (f) => f.h.request('POST', `${f.a.base}/owner`, { token: f.a.ownerToken, body: { userId: MISSING_USER } }),
  },
  {
    name: "another account's user id in a session request",
    status: 404,
    code: 'not_found',
    send: (f) => session({ userId: f.foreignUserId })(f),
    like: session({ userId: MISSING_USER }),
  },
  {
    name: "another account's id with this account's token",
    status: 404,
    code: 'not_found',
    send: (f) => f.h.request('GET', f.b.base, { token: f.a.ownerToken }),
    like: (f) => f.h.request('GET', '/v1/accounts/acc_doesNotExist000000000', { token: f.a.ownerToken }),
  },
  { name: "malformed user id 'usr_'", status: 404, code: 'not_found', send: get('/users/usr_'), like: get(`/users/${MISSING_USER}`) },
  { name: "malformed user id '../' (encoded)", status: 404, code: 'not_found', send: get('/users/..%2F') },
  { name: 'malformed user id of 5000 characters', status: 404, code: 'not_found', send: get(`/users/usr_${'x'.repeat(4996)}`), like: get(`/users/${MISSING_USER}`) },
  { name: "malformed user id '%00'", status: 404, code: 'not_found', send: get('/users/%00'), like: get(`/users/${MISSING_USER}`) },
  { name: "malformed user id '__proto__'", status: 404, code: 'not_found', send: get('/users/__proto__'), like: get(`/users/${MISSING_USER}`) },
  { name: "malformed user id 'constructor' in an assign", status: 404, code: 'not_found', send: (f) => f.h.request('PUT', `${f.a.base}/users/constructor/license`, { token: f.a.ownerToken }) },
  { name: "malformed account id '%00'", status: 404, code: 'not_found', send: (f) => f.h.request('GET', '/v1/accounts/%00', { token: f.a.ownerToken }) },
  { name: 'malformed account id of 5000 characters (API key)', status: 404, code: 'not_found', send: (f) => f.h.request('GET', `/v1/accounts/acc_${'x'.repeat(4996)}`, { token: API_KEY }) },
  { name: 'unknown route', status: 404, code: 'not_found', send: (f) => f.h.request('GET', '/v1/nothing-here', { token: f.a.ownerToken }) },
  { name: 'unknown route under an account', status: 404, code: 'not_found', send: (f) => f.h.request('POST', `${f.a.base}/frobnicate`, { token: f.a.ownerToken, body: {} }) },
  { name: 'unknown method on a known path (DELETE account)', status: 404, code: 'not_found', send: (f) => f.h.request('DELETE', f.a.base, { token: f.a.ownerToken }) },
  { name: 'an invitation token that is not one', status: 404, code: 'invitation_invalid', send: (f) => f.h.request('GET', `/v1/invitations/${'A'.repeat(43)}`) },

  // ---- Authorization ----
  { name: "Authorization 'Bearer' with no token", status: 401, code: 'unauthorized', send: withAuthorization('Bearer') },
  { name: "Authorization 'Basic xxx'", status: 401, code: 'unauthorized', send: withAuthorization('Basic xxx') },
  { name: 'a bearer token of 10,000 characters', status: 401, code: 'unauthorized', send: withAuthorization(`Bearer ${'t'.repeat(10_000)}`) },
  { name: 'a bearer token with a control character', status: 401, code: 'unauthorized', send: withAuthorization('Bearer abc\u0007def') },
  { name: 'an unknown bearer token on an API-key route', status: 401, code: 'unauthorized', send: (f) => f.h.request('GET', '/v1/outbox', { headers: { Authorization: `Bearer ${API_KEY}x` } }) },
  { name: 'no Authorization on account creation', status: 401, code: 'unauthorized', send: (f) => f.h.request('POST', '/v1/accounts', { body: validAccount }) },
];

describe('bad input', () => {
  let f: Fixture;
  before(async () => {
    f = await setUp();
  });

  it(`is a table of ${cases.length} cases, at least 45`, () => {
    assert.ok(cases.length >= 45);
  });

  for (const c of cases) {
    it(`answers ${c.status} ${c.code} and changes nothing: ${c.name}`, async () => {
      const before = await snapshot(f);
      const res = await c.send(f);
      assertProblem(res, c.status, c.code, c.orCode);
      if (res.body.code === 'validation_failed' && c.field !== undefined) {
        assert.equal(typeof res.body.errors, 'object', JSON.stringify(res.body));
        assert.ok(Object.hasOwn(res.body.errors, c.field), `errors names ${c.field}: ${JSON.stringify(res.body.errors)}`);
        if (c.message !== undefined) assert.equal(res.body.errors[c.field], c.message);
      }
      if (c.like) {
        const reference = await c.like(f);
        assert.deepEqual(
          { status: res.status, code: res.body.code, detail: res.body.detail },
          { status: reference.status, code: reference.body.code, detail: reference.body.detail },
        );
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
      assert.deepEqual(await snapshot(f), before);
    });
  }
});
