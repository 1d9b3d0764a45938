/**
 * The reference server inside Chromium (docs/operations.md: "web-standard only, so the same app runs on
 * Node and inside the browser"): the real app and memory store, bundled for the page with no
 * Node-only import, answer a host back end's and a user's requests through `app.request`.
 */
import { expect } from '@open-wc/testing';
import { createApp } from '../../server/app.js';
import { OutboxMailer } from '../../server/mail/outbox.js';
import { MemoryStore } from '../../server/store/memory.js';
import type { Account, CreateAccountResult, OutboxMessage, PageBody, SessionResult, UserResult } from '../../sdk/types.js';

// Mocha's globals, as @web/test-runner provides them in the page.
declare const describe: (name: string, body: () => void) => void;
declare const it: (name: string, body: () => Promise<void>) => void;

const API_KEY = 'sk_test_browser_0123456789abcdef';

function harness() {
  const mailer = new OutboxMailer();
  const app = createApp({ store: new MemoryStore(), mailer, config: { apiKey: API_KEY } });
  async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; headers: Headers; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  }
  return { app, mailer, call };
}

describe('the reference server in the browser', () => {
  it('creates an account, mints a session, invites a user and reads the account (2 licenses in use)', async () => {
    expect(typeof window).to.equal('object', 'this runs in a page');
    const { call, mailer } = harness();

    const created = await call<CreateAccountResult>('POST', '/v1/accounts', API_KEY, {
      name: 'Acme Engineering',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@acme.example', firstName: 'Olive', lastName: 'Owner' },
    });
    expect(created.status).to.equal(201);
    const accountId = created.body.account.id;
    expect(accountId).to.match(/^acc_/);

    const session = await call<SessionResult>('POST', `/v1/accounts/${accountId}/sessions`, API_KEY, { userId: created.body.owner.id });
    expect(session.status).to.equal(200);
    const token = session.body.token;

    const invited = await call<UserResult>('POST', `/v1/accounts/${accountId}/invitations`, token, {
      email: 'ivy@acme.example',
      firstName: 'Ivy',
      lastName: 'Invitee',
    });
    expect(invited.status).to.equal(201);
    expect(invited.body.user.status).to.equal('invited');
    expect(invited.headers.get('ETag')).to.equal(`"${invited.body.user.version}"`);
    const mails = (await mailer.list()) as readonly OutboxMessage[];
    expect(mails.map((m) => m.to)).to.deep.equal(['ivy@acme.example']);

    const account = await call<Account>('GET', `/v1/accounts/${accountId}`, token);
    expect(account.status).to.equal(200);
    expect(account.body.licenses.inUse).to.equal(2);
    expect(account.body.licenses.available).to.equal(3);
    expect(account.body.viewer?.role).to.equal('owner');
    expect(account.headers.get('X-Request-Id')).to.be.a('string');

    const outbox = await call<PageBody<OutboxMessage>>('GET', '/v1/outbox', API_KEY);
    expect(outbox.body.total).to.equal(1);
  });

  it('serves its OpenAPI 3.1 document', async () => {
    const { call } = harness();
    const doc = await call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/v1/openapi.json', null);
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.match(/^3\.1\./);
    expect(Object.keys(doc.body.paths)).to.include('/v1/accounts/{accountId}/invitations');
  });

  it('answers errors as problem+json in the page too', async () => {
    const { app } = harness();
    const response = await app.request('/v1/accounts', { method: 'POST', headers: { Authorization: 'Bearer wrong' } });
    expect(response.status).to.equal(401);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect((await response.json()).code).to.equal('unauthorized');
  });
});
