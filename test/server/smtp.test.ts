/**
 * SMTP delivery ("SMTP when SMTP_URL is set", docs/operations.md) against a real SMTP server on loopback
 * (`smtp-server`): the invitation email's headers and parts, HTML escaping, and what a mail outage
 * does — the invite still succeeds, the invitation stands, the failure is logged, a retry or a
 * resend delivers it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { User } from '../../sdk/types.js';
import { createApp } from '../../server/app.js';
import { RetryingMailer } from '../../server/mail/retrying.js';
import { SmtpMailer } from '../../server/mail/smtp.js';
import type { Mailer, MailMessage } from '../../server/mail/types.js';
import { MemoryStore } from '../../server/store/memory.js';
import { API_KEY } from '../helpers/api.js';
import { http, PROCESS_API_KEY, startServerProcess } from '../helpers/server-process.js';

const FROM = 'Acme <no-reply@acme.example>';
const INVITE_URL = 'https://app.example/activate/{token}';

// ---------------------------------------------------------------------------------------------
// A minimal MIME reader (enough for what nodemailer writes: multipart/alternative, 7bit,
// quoted-printable or base64 parts, RFC 2047 encoded words in headers).

interface Part {
  headers: Map<string, string>;
  body: string;
}

function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

function parsePart(raw: string): Part {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

interface Received {
  envelope: { from: string; to: string[] };
  headers: Map<string, string>;
  text: string;
  html: string;
}

function parseMessage(raw: string, envelope: Received['envelope']): Received {
  const top = parsePart(raw);
  const type = top.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary
    ? top.body
        .split(`--${boundary}`)
        .slice(1)
        .filter((p) => !p.startsWith('--'))
        .map((p) => parsePart(p.replace(/^\r\n/, '')))
    : [top];
  const find = (mime: string) => {
    const part = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(mime));
    return part ? decodeBody(part) : '';
  };
  return { envelope, headers: top.headers, text: find('text/plain'), html: find('text/html') };
}

// ---------------------------------------------------------------------------------------------
// A loopback SMTP server that collects messages and can refuse the first ones.

interface Smtp {
  port: number;
  received: Received[];
  /** DATA attempts, refused ones included. */
  attempts: number;
  /** Refuse this many more DATA commands with 451. */
  refuse: number;
  close(): Promise<void>;
}

async function startSmtp(port = 0): Promise<Smtp> {
  const state: Smtp = { port: 0, received: [], attempts: 0, refuse: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.attempts++;
        if (state.refuse > 0) {
          state.refuse--;
          callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        state.received.push(parseMessage(Buffer.concat(chunks).toString('utf8'), envelope));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  state.port = (server.server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records every message handed to the mailer (even one never delivered), then delegates. */
class SpyMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  constructor(private readonly inner: Mailer) {}
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
    await this.inner.send(message);
  }
}

// ---------------------------------------------------------------------------------------------
// The app with the SMTP mailer behind the retrying one, as server/node.ts wires it.

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function smtpApp(port: number, accountName = 'Acme Engineering') {
  const logs: string[] = [];
  const smtp = new SmtpMailer(`smtp://127.0.0.1:${port}`, FROM);
  const spy = new SpyMailer(smtp);
  const mailer = new RetryingMailer(spy, { delaysMs: [50, 100], log: (entry) => logs.push(JSON.stringify(entry)) });
  cleanups.push(async () => {
    await mailer.close();
    smtp.close();
  });
  const app = createApp({
    store: new MemoryStore(),
    mailer,
    config: { apiKey: API_KEY, inviteUrl: INVITE_URL, rateLimits: false, log: (entry) => logs.push(JSON.stringify(entry)) },
  });
  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await app.request(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function account() {
    const created = await call('POST', '/v1/accounts', {
      token: API_KEY,
      body: {
        name: accountName,
        licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@acme.example', firstName: 'Olive', lastName: 'Owner' },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const accountId = created.body.account.id as string;
    const session = await call('POST', `/v1/accounts/${accountId}/sessions`, { token: API_KEY, body: { userId: created.body.owner.id } });
    assert.equal(session.status, 200);
    return { accountId, base: `/v1/accounts/${accountId}`, token: session.body.token as string };
  }
  return { app, call, account, logs, spy, mailer };
}

function tokenOf(link: string): string {
  const match = /^https:\/\/app\.example\/activate\/([A-Za-z0-9_-]+)$/.exec(link);
  assert.ok(match, `an activation link: ${link}`);
  return match[1]!;
}

function linkIn(text: string): string {
  const match = /https:\/\/app\.example\/activate\/[A-Za-z0-9_%-]+/.exec(text);
  assert.ok(match, `the message holds an activation link:\n${text}`);
  return match[0];
}

describe('SMTP delivery of invitations', () => {
  it('sends one message with From, To, Subject, and a text and an HTML part holding the working activation link', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { call, account, logs } = smtpApp(smtp.port);
    const { base, token } = await account();

    const invited = await call('POST', `${base}/invitations`, { token, body: { email: 'Dana@Example.com', firstName: 'Dana', lastName: 'Doe' } });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await waitFor('the message', () => smtp.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(smtp.received.length, 1, 'exactly one message');
    const message = smtp.received[0]!;

    assert.equal(message.envelope.from, 'no-reply@acme.example');
    // The address as typed (nodemailer lower-cases the domain, which is case-insensitive).
    assert.equal(invited.body.user.email, 'Dana@Example.com');
    assert.deepEqual(message.envelope.to, ['Dana@example.com']);
    assert.equal(message.headers.get('from'), FROM);
    assert.equal(message.headers.get('to')?.toLowerCase(), 'dana@example.com');
    assert.equal(message.headers.get('subject'), "You're invited to Acme Engineering");
    assert.match(message.headers.get('content-type') ?? '', /^multipart\/alternative/i);
    assert.ok(message.text.includes('Dana'), message.text);

    const textLink = linkIn(message.text);
    const htmlLink = linkIn(message.html);
    assert.equal(textLink, htmlLink, 'both parts carry the same link');
    assert.ok(message.html.includes(`href="${htmlLink}"`), 'the HTML part links it');
    const lookup = await call('GET', `/v1/invitations/${tokenOf(textLink)}`);
    assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    assert.equal(lookup.body.email, invited.body.user.email);
    assert.equal(lookup.body.accountName, 'Acme Engineering');
    assert.deepEqual(
      logs.filter((l) => /fail/i.test(l)),
      [],
      'nothing failed',
    );
  });

  it('escapes user-provided text (account name, first name) in the HTML part', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { call, account } = smtpApp(smtp.port, 'Acme <script>alert("name")</script> & Co');
    const { base, token } = await account();
    const invited = await call('POST', `${base}/invitations`, {
      token,
      body: { email: 'eve@example.com', firstName: '<script>alert(1)</script>', lastName: "O'Hara" },
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await waitFor('the message', () => smtp.received.length >= 1);
    const { html, text, headers } = smtp.received[0]!;

    assert.equal(headers.get('subject'), `You're invited to Acme <script>alert("name")</script> & Co`);
    assert.ok(!/<script/i.test(html), `no live <script> in the HTML part:\n${html}`);
    assert.ok(!html.includes('alert("name")'), 'quotes are escaped too');
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/, 'the first name shows as text');
    assert.match(html, /Acme &#60;script&#62;alert\(&#34;name&#34;\)&#60;\/script&#62; &#38; Co/, 'the account name shows as text');
    // The text part is plain text: it shows what was typed.
    assert.ok(text.includes('Hello <script>alert(1)</script>,'), text);
    assert.ok(text.includes('Acme <script>alert("name")</script> & Co'), text);
  });

  it('a refused send (451) still answers 201, keeps the invitation, logs the failure, and the retry delivers it', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    smtp.refuse = 2;
    const { call, account, logs, mailer } = smtpApp(smtp.port);
    const { base, token } = await account();

    const invited = await call('POST', `${base}/invitations`, { token, body: { email: 'frank@example.com', firstName: 'Frank', lastName: 'Fail' } });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const userId = invited.body.user.id as string;
    assert.equal(smtp.received.length, 0, 'the first attempt was refused');
    assert.ok(
      logs.some((l) => l.includes('frank@example.com') && /failed/.test(l) && /451/.test(l)),
      `the failure is logged with the SMTP answer: ${JSON.stringify(logs)}`,
    );
    const user = await call('GET', `${base}/users/${userId}`, { token });
    assert.equal((user.body as User).status, 'invited', 'the invitation stands');
    const account_ = await call('GET', base, { token });
    assert.equal(account_.body.licenses.invited, 1, 'its license stays reserved');

    await waitFor('the retried message', () => smtp.received.length >= 1);
    assert.equal(smtp.attempts, 3, 'two refusals, then the delivery');
    await waitFor('the retry log line', () => logs.some((l) => /sent on retry 2/.test(l)));
    assert.equal(mailer.retrying, 0);
    const message = smtp.received[0]!;
    assert.deepEqual(message.envelope.to, ['frank@example.com']);
    const lookup = await call('GET', `/v1/invitations/${tokenOf(linkIn(message.text))}`);
    assert.equal(lookup.status, 200, 'the delivered link works');
    assert.equal(lookup.body.email, 'frank@example.com');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.received.length, 1, 'delivered once, not once per attempt');
  });

  it('an SMTP server that is down: invite 201, failure logged, the token works; a resend once it is up delivers a new link', async () => {
    const port = await closedPort();
    const { call, account, logs, spy } = smtpApp(port);
    const { base, token } = await account();

    const invited = await call('POST', `${base}/invitations`, { token, body: { email: 'gina@example.com', firstName: 'Gina', lastName: 'Down' } });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const userId = invited.body.user.id as string;
    assert.ok(
      logs.some((l) => l.includes('gina@example.com') && /failed/.test(l) && /ECONNREFUSED/.test(l)),
      `the failure is logged: ${JSON.stringify(logs)}`,
    );
    assert.equal(spy.sent.length, 1);
    const firstToken = tokenOf(spy.sent[0]!.activationUrl!);
    const lookup = await call('GET', `/v1/invitations/${firstToken}`);
    assert.equal(lookup.status, 200, 'the invitation stands even though its email did not leave');
    await waitFor('the retries to give up', () => logs.some((l) => /giving up/.test(l)));

    // The mail server comes back: a resend (new token) goes out, the old token stops working.
    const smtp = await startSmtp(port);
    cleanups.push(() => smtp.close());
    const resent = await call('POST', `${base}/users/${userId}/invitation/resend`, { token });
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    await waitFor('the resent message', () => smtp.received.length >= 1);
    const newToken = tokenOf(linkIn(smtp.received[0]!.text));
    assert.notEqual(newToken, firstToken);
    assert.equal((await call('GET', `/v1/invitations/${newToken}`)).status, 200);
    assert.equal((await call('GET', `/v1/invitations/${firstToken}`)).status, 404);
    const accepted = await call('POST', `/v1/invitations/${newToken}/accept`, { body: {} });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.user.status, 'enabled');
  });

  it('an SMTP server that accepts the connection but never answers does not hold the invite for long', async () => {
    // A hung mail server (accepts TCP, sends no greeting): the invite must not wait for it.
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const close = () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        silent.close(() => resolve());
      });
    cleanups.push(close);
    const { call, account } = smtpApp((silent.address() as { port: number }).port);
    const { base, token } = await account();

    const started = performance.now();
    const answer = call('POST', `${base}/invitations`, { token, body: { email: 'ivan@example.com', firstName: 'Ivan', lastName: 'Hung' } });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 5_000, 'timeout').unref());
    const first = await Promise.race([answer, timeout]);
    const ms = Math.round(performance.now() - started);
    await close(); // lets the stuck send fail, so the request ends either way
    const invited = await answer;
    assert.notEqual(first, 'timeout', `the invite waited ${ms} ms and more for a mail server that does not answer`);
    assert.equal(invited.status, 201);
  });

  it('the server process sends through SMTP_URL with SEATKIT_MAIL_FROM', async (t) => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const server = await startServerProcess({
      SEATKIT_DB: ':memory:',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SEATKIT_MAIL_FROM: FROM,
      INVITE_URL,
      SEATKIT_RATE_LIMITS: 'off',
    });
    t.after(() => server.kill());
    assert.ok(server.output.some((l) => /mail: SMTP/.test(l)), server.output.join('\n'));
    const created = await http(server.url, 'POST', '/v1/accounts', {
      token: PROCESS_API_KEY,
      body: {
        name: 'Process Mail Ltd',
        licenses: { quantity: 3, unitPrice: 100, currency: 'EUR', interval: 'year' },
        owner: { email: 'owner@process.example', firstName: 'Olive', lastName: 'Owner' },
      },
    });
    assert.equal(created.status, 201);
    const accountId = created.body.account.id as string;
    const session = await http(server.url, 'POST', `/v1/accounts/${accountId}/sessions`, { token: PROCESS_API_KEY, body: { userId: created.body.owner.id } });
    const invited = await http(server.url, 'POST', `/v1/accounts/${accountId}/invitations`, {
      token: session.body.token,
      body: { email: 'hal@example.com', firstName: 'Hal', lastName: 'Process' },
    });
    assert.equal(invited.status, 201);
    await waitFor('the message', () => smtp.received.length >= 1);
    const message = smtp.received[0]!;
    assert.equal(message.headers.get('from'), FROM);
    assert.equal(message.headers.get('subject'), "You're invited to Process Mail Ltd");
    const lookup = await http(server.url, 'GET', `/v1/invitations/${tokenOf(linkIn(message.html))}`);
    assert.equal(lookup.status, 200);
    assert.equal(lookup.body.email, 'hal@example.com');
    await server.stop();
    assert.ok(!server.output.some((l) => /shutdown failed/.test(l)), server.output.join('\n'));
  });
});
