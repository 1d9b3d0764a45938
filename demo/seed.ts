/**
 * The demo account, made through the public API (so it obeys every rule): 10 users sharing
 * 5 licenses, as in the product's own example — the owner, 3 active users (one of them an admin),
 * 1 pending invitation and 5 people without a license. Its test clock starts two months back and
 * moves forward as people join, so `<seat-usage>` has a history to draw and someone has been idle
 * for 30+ days (the inactive filter, the reclaim policy's preview).
 */
import type { Account, AcceptResult, CreateAccountResult, PageBody, OutboxMessage, SessionResult, UserResult } from '../sdk/types.js';

interface FetchApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

const PEOPLE = [
  ['Grace', 'Hopper', 'grace.hopper', 'Principal structural engineer'],
  ['Alan', 'Turing', 'alan.turing', 'Geotechnical engineer'],
  ['Katherine', 'Johnson', 'katherine.johnson', 'Hydraulic engineer'],
  ['Tim', 'Berners-Lee', 'tim.bernerslee', 'BIM coordinator'],
  ['Barbara', 'Liskov', 'barbara.liskov', 'Project manager'],
  ['Edsger', 'Dijkstra', 'edsger.dijkstra', 'Draftsperson'],
  ['Margaret', 'Hamilton', 'margaret.hamilton', 'Fire safety engineer'],
  ['Claude', 'Shannon', 'claude.shannon', 'Electrical engineer'],
  ['Frances', 'Allen', 'frances.allen', 'Site supervisor'],
] as const;

export interface DemoAccount {
  accountId: string;
  accountName: string;
  ownerId: string;
  ownerToken: string;
  users: number;
  licenses: number;
}

/** Signs in again as the owner of a demo account made before (a restart); undefined if it is gone. */
export async function signInDemo(app: FetchApp, apiKey: string, known: { accountId: string; ownerId: string }): Promise<DemoAccount | undefined> {
  const headers = { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' };
  const account = await app.request(`/v1/accounts/${known.accountId}`, { headers });
  if (!account.ok) return undefined;
  const { name, ownerId, licenses } = (await account.json()) as Account;
  const session = await app.request(`/v1/accounts/${known.accountId}/sessions`, { method: 'POST', headers, body: JSON.stringify({ userId: ownerId }) });
  if (!session.ok) return undefined;
  const { token } = (await session.json()) as SessionResult;
  const users = await app.request(`/v1/accounts/${known.accountId}/users?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  const { total } = (await users.json()) as PageBody<unknown>;
  return { accountId: known.accountId, accountName: name, ownerId, ownerToken: token, users: total, licenses: licenses.quantity };
}

function twoMonthsBefore(date: Date): Date {
  const start = new Date(date);
  start.setUTCMonth(start.getUTCMonth() - 2);
  return start;
}

export async function seedDemo(app: FetchApp, apiKey: string, now = new Date()): Promise<DemoAccount> {
  const call = async <T>(path: string, token: string, method = 'GET', body?: unknown): Promise<T> => {
    const response = await app.request(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seed: ${method} ${path} → ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const DAY = 86_400_000;
  const accountName = 'Northwind Engineering';
  const { account, owner } = await call<CreateAccountResult>('/v1/accounts', apiKey, 'POST', {
    name: accountName,
    licenses: { quantity: 5, unitPrice: 4900, currency: 'USD', interval: 'month' },
    owner: { email: 'ada.lovelace@northwind.example', firstName: 'Ada', lastName: 'Lovelace', qualification: 'Managing director' },
    // Two billing periods back, so a period starts now (prices quoted in the demo are whole periods).
    testClock: { frozenTime: twoMonthsBefore(now).toISOString() },
  });
  const base = `/v1/accounts/${account.id}`;
  const signIn = async () => (await call<SessionResult>(`${base}/sessions`, apiKey, 'POST', { userId: owner.id })).token;
  let token = await signIn();
  /** The account's clock moves on to `daysAgo` days before `now` (a fresh session, in the account's time). */
  const daysAgo = async (days: number) => {
    await call<Account>(`${base}/test-clock`, apiKey, 'POST', { advanceTo: new Date(now.getTime() - days * DAY).toISOString() });
    token = await signIn();
  };
  const invite = async ([firstName, lastName, handle, qualification]: (typeof PEOPLE)[number], accept: boolean, role: 'admin' | 'member' = 'member') => {
    const { user } = await call<UserResult>(`${base}/invitations`, token, 'POST', {
      email: `${handle}@northwind.example`,
      firstName,
      lastName,
      qualification,
      role,
    });
    if (accept) {
      const outbox = await call<PageBody<OutboxMessage>>('/v1/outbox?limit=1', apiKey);
      const invitation = outbox.data[0]!.activationUrl!.split('/').pop()!;
      await call<AcceptResult>(`/v1/invitations/${invitation}/accept`, '', 'POST', {});
    }
    return user;
  };
  // People who worked here before and hold no license now.
  for (const person of PEOPLE.slice(4)) {
    const user = await invite(person, true);
    await call<UserResult>(`${base}/users/${user.id}/license`, token, 'DELETE');
  }
  // Grace administers the team, so the demo can act as an admin too.
  await daysAgo(50);
  await invite(PEOPLE[0], true, 'admin');
  await daysAgo(40);
  await invite(PEOPLE[1], true);
  await daysAgo(12);
  await invite(PEOPLE[2], true);
  await daysAgo(1);
  await invite(PEOPLE[3], false);
  await daysAgo(0);
  return { accountId: account.id, accountName, ownerId: owner.id, ownerToken: token, users: PEOPLE.length + 1, licenses: 5 };
}
