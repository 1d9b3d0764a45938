/**
 * Secrets stay out of logs, files and caches: the Node entry (request log on, file store) is put
 * through invites, resends, lookups, acceptances and sessions, and then no token issued appears
 * in any log line or in any file of the data folder; every answer that carries a token (or is
 * looked up by one) says `Cache-Control: no-store`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { start } from '../../server/node.js';
import { createAccountOver, http } from '../helpers/server-process.js';

const API_KEY = 'sk_secrets_test_0123456789';
const folders: string[] = [];
after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Scenario {
  dir: string;
  lines: string[];
  tokens: string[];
  /** `Cache-Control` of every answer that carried a token or was looked up by one. */
  cacheControl: { what: string; value: string | null }[];
}

/**
 * The Node entry (request log on, file store) through invites, a resend, lookups, the activation
 * page's path, acceptances, used tokens and a minted session; every token issued is collected.
 */
async function scenario(): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), 'seatkit-secrets-'));
  folders.push(dir);
  const lines: string[] = [];
  const tokens: string[] = [];
  const cacheControl: Scenario['cacheControl'] = [];
  const seen = (what: string, reply: { headers: Headers }) => cacheControl.push({ what, value: reply.headers.get('cache-control') });
  const server = await start({ PORT: '0', SEATKIT_DB: dir, SEATKIT_API_KEY: API_KEY, SEATKIT_RATE_LIMITS: 'off' }, (line) => lines.push(line));
  try {
    const { accountId, ownerToken } = await createAccountOver(server.url, { quantity: 10, apiKey: API_KEY });
    tokens.push(ownerToken);
    const base = `/v1/accounts/${accountId}`;
    for (const name of ['ada', 'grace', 'edsger']) {
      const invited = await http(server.url, 'POST', `${base}/invitations`, { token: ownerToken, body: { email: `${name}@acme.example`, firstName: name, lastName: 'Test' } });
      assert.equal(invited.status, 201);
    }
    const edsger = (await http(server.url, 'GET', `${base}/users?q=edsger`, { token: ownerToken })).body.data[0].id as string;
    assert.equal((await http(server.url, 'POST', `${base}/users/${edsger}/invitation/resend`, { token: ownerToken })).status, 200);
    const outbox = await http(server.url, 'GET', '/v1/outbox?limit=200', { token: API_KEY });
    assert.equal(outbox.status, 200);
    seen('GET /v1/outbox', outbox);
    const issued = (outbox.body.data as { to: string; activationUrl: string }[]).map((m) => ({ to: m.to, token: m.activationUrl.split('/').pop()! }));
    assert.equal(issued.length, 4, 'three invitations and one resend');
    tokens.push(...issued.map((i) => i.token));

    for (const { to, token } of issued.filter((i) => i.to !== 'edsger@acme.example')) {
      const lookup = await http(server.url, 'GET', `/v1/invitations/${token}`);
      assert.equal(lookup.status, 200);
      seen('GET /v1/invitations/{token}', lookup);
      // The activation page's path (INVITE_URL on this server) is logged too: its token must not be.
      await http(server.url, 'GET', `/activate/${token}`);
      const accepted = await http(server.url, 'POST', `/v1/invitations/${token}/accept`, { body: {} });
      assert.equal(accepted.status, 200, `accept for ${to}`);
      seen('POST /v1/invitations/{token}/accept', accepted);
      tokens.push(accepted.body.token);
      // A used token answers 404: still not logged.
      assert.equal((await http(server.url, 'GET', `/v1/invitations/${token}`)).status, 404);
    }
    const minted = await http(server.url, 'POST', `${base}/sessions`, { token: API_KEY, body: { email: 'ada@acme.example' } });
    assert.equal(minted.status, 200);
    seen('POST /v1/accounts/{id}/sessions', minted);
    tokens.push(minted.body.token);
    assert.equal((await http(server.url, 'GET', base, { token: minted.body.token })).status, 200);
  } finally {
    await server.close();
  }
  assert.equal(new Set(tokens).size, 8, 'an owner session, four invitations, two acceptances, a minted session');
  return { dir, lines, tokens, cacheControl };
}

describe('secrets: never logged, never on disk, never cached', () => {
  let s: Scenario;
  before(async () => {
    s = await scenario();
  });

  it('writes no session or invitation token to any log line', () => {
    const requestLines = s.lines.filter((line) => line.includes('"message":"request"'));
    assert.ok(requestLines.filter((line) => line.includes('/v1/invitations/')).length >= 6, 'the invitation routes were logged');
    const inLogs = s.tokens.filter((token) => s.lines.some((line) => line.includes(token)));
    assert.deepEqual(inLogs, [], `no token in any log line:\n${s.lines.filter((line) => inLogs.some((token) => line.includes(token))).join('\n')}`);
  });

  it('writes no session or invitation token to any file of the data folder', async () => {
    const files = (await readdir(s.dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    assert.ok(files.some((file) => file.name.endsWith('.log')), 'the data folder holds the journal');
    const onDisk: string[] = [];
    for (const file of files) {
      const text = await readFile(join(file.parentPath, file.name), 'utf8');
      for (const token of s.tokens) if (text.includes(token)) onDisk.push(`${file.name}: ${token.slice(0, 6)}…`);
    }
    assert.deepEqual(onDisk, [], 'no token in any file of the data folder');
  });

  it('answers every response that carries a token, or is looked up by one, with Cache-Control: no-store', () => {
    assert.deepEqual(new Set(s.cacheControl.map((c) => c.what)).size, 4);
    assert.deepEqual(
      s.cacheControl.filter((c) => c.value !== 'no-store'),
      [],
    );
  });
});
