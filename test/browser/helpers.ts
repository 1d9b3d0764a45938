/**
 * Browser test helpers: the real app (memory store) runs in the page, and MSW's service worker
 * hands it every request the elements make to `API_BASE`. Nothing of the server is mocked.
 */
import { http } from 'msw';
import { setupWorker } from 'msw/browser';
import { createApp } from '../../server/app.js';
import { MemoryStore } from '../../server/store/memory.js';
import type { CreateAccountResult, OutboxMessage, PageBody, SessionResult, User, UserResult } from '../../sdk/types.js';

export const API_KEY = 'sk_browser_test_0123456789abcdef';
/** Where the elements find the API (`base-url`). */
export const API_BASE = `${location.origin}/seatkit-api`;
/** The same API under another path: elements using it act as if on another page (their own live stream). */
export const API_BASE_2 = `${location.origin}/seatkit-api-2`;

let app = createApp({ store: new MemoryStore(), config: { apiKey: API_KEY, rateLimits: false } });
let started: Promise<unknown> | undefined;

/** Starts the worker once; a fresh app (empty memory store) per call. */
export async function startApi(config: Parameters<typeof createApp>[0]['config'] = { apiKey: API_KEY, rateLimits: false }) {
  app = createApp({ store: new MemoryStore(), config: { ...config, apiKey: API_KEY } });
  started ??= setupWorker(
    http.all(/\/seatkit-api(-2)?\//, async ({ request }) => {
      const url = new URL(request.url);
      url.pathname = url.pathname.replace(/^\/seatkit-api(-2)?/, '');
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
      return app.fetch(new Request(url, { method: request.method, headers: request.headers, body }));
    }),
  ).start({ quiet: true, onUnhandledRequest: 'bypass' });
  await started;
  return app;
}

async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await app.request(path, {
    method,
    headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface Seeded {
  accountId: string;
  owner: User;
  ownerToken: string;
  admin: User;
  adminToken: string;
  member: User;
  memberToken: string;
  /** Invite someone (as the owner); accept too unless `pending`. */
  addUser(email: string, firstName: string, lastName: string, pending?: boolean): Promise<User>;
  token(userId: string): Promise<string>;
}

/**
 * An account with its owner, an admin and a member (all active), `quantity` licenses, and a test
 * clock frozen on 2026-05-15 (so prices are stable: 31-day period).
 */
export async function seed(options: { quantity?: number; unitPrice?: number; currency?: string } = {}): Promise<Seeded> {
  await startApi();
  const { account, owner } = await call<CreateAccountResult>('POST', '/v1/accounts', API_KEY, {
    name: 'Acme Engineering',
    licenses: { quantity: options.quantity ?? 5, unitPrice: options.unitPrice ?? 400, currency: options.currency ?? 'USD', interval: 'month' },
    owner: { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace', qualification: 'Managing director' },
    testClock: { frozenTime: '2026-05-15T00:00:00.000Z' },
  });
  const token = async (userId: string) => (await call<SessionResult>('POST', `/v1/accounts/${account.id}/sessions`, API_KEY, { userId })).token;
  const ownerToken = await token(owner.id);
  const addUser = async (email: string, firstName: string, lastName: string, pending = false, role: 'admin' | 'member' = 'member') => {
    const { user } = await call<UserResult>('POST', `/v1/accounts/${account.id}/invitations`, ownerToken, { email, firstName, lastName, role });
    if (pending) return user;
    const outbox = await call<PageBody<OutboxMessage>>('GET', '/v1/outbox?limit=1', API_KEY);
    const invitation = outbox.data[0]!.activationUrl!.split('/').pop()!;
    return (await call<{ user: User }>('POST', `/v1/invitations/${invitation}/accept`, null, {})).user;
  };
  const admin = await addUser('grace@acme.example', 'Grace', 'Hopper', false, 'admin');
  const member = await addUser('alan@acme.example', 'Alan', 'Turing');
  return {
    accountId: account.id,
    owner,
    ownerToken,
    admin,
    adminToken: await token(admin.id),
    member,
    memberToken: await token(member.id),
    addUser: (email, firstName, lastName, pending) => addUser(email, firstName, lastName, pending),
    token,
  };
}

/** Calls the API directly (as the owner, say) to set up a state. */
export function api<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  return call<T>(method, path, token, body);
}

/** Waits until `check` passes (element updates are asynchronous). */
export async function until(check: () => boolean | undefined | null, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The visible text of an element and its shadow tree, whitespace folded. */
export function textOf(root: Element | ShadowRoot | null | undefined): string {
  if (!root) return '';
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot);
    if (node instanceof HTMLSlotElement) for (const n of node.assignedNodes({ flatten: true })) walk(n);
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
