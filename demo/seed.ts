/**
 * The demo account, made through the public API (so it obeys every rule): 10 users sharing
 * 5 licenses, as in the product's own example — the owner, 3 active users (one of them an admin),
 * 1 pending invitation and 5 people without a license. Its test clock starts two months back and
 * moves forward as people join, so `<seat-usage>` has a history to draw and someone has been idle
 * for 30+ days (the inactive filter, the reclaim policy's preview).
 */
import { SeatAdmin, SeatClient } from '../sdk/index.js';

export interface FetchApp {
  request(input: Request): Response | Promise<Response>;
}

/** Where the SDK is pointed: never reached, every request goes to the app in this process. */
const IN_PROCESS = 'http://seatkit.in-process';

/** The SDK over the app in this process (no port), as the host's own back end would use it over HTTP. */
export function sdkFor(app: FetchApp, apiKey: string) {
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => app.request(new Request(input, init));
  return {
    admin: new SeatAdmin({ baseUrl: IN_PROCESS, apiKey, fetch }),
    client: (accountId: string, token: string) => new SeatClient({ baseUrl: IN_PROCESS, accountId, token, fetch }),
  };
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
  const { admin, client } = sdkFor(app, apiKey);
  try {
    const { name, ownerId, licenses } = await admin.accounts.get(known.accountId);
    const { token } = await admin.sessions.create(known.accountId, { userId: ownerId });
    const { total } = await client(known.accountId, token).users.list({ limit: 1 });
    return { accountId: known.accountId, accountName: name, ownerId, ownerToken: token, users: total, licenses: licenses.quantity };
  } catch {
    return undefined;
  }
}

function twoMonthsBefore(date: Date): Date {
  const start = new Date(date);
  start.setUTCMonth(start.getUTCMonth() - 2);
  return start;
}

export async function seedDemo(app: FetchApp, apiKey: string, now = new Date()): Promise<DemoAccount> {
  const { admin, client } = sdkFor(app, apiKey);
  const DAY = 86_400_000;
  const accountName = 'Northwind Engineering';
  const { account, owner } = await admin.accounts.create({
    name: accountName,
    licenses: { quantity: 5, unitPrice: 4900, currency: 'USD', interval: 'month' },
    owner: { email: 'ada.lovelace@northwind.example', firstName: 'Ada', lastName: 'Lovelace', qualification: 'Managing director' },
    // Two billing periods back, so a period starts now (prices quoted in the demo are whole periods).
    testClock: { frozenTime: twoMonthsBefore(now).toISOString() },
  });
  const signIn = async () => client(account.id, (await admin.sessions.create(account.id, { userId: owner.id })).token);
  let ownerClient = await signIn();
  /** The account's clock moves on to `daysAgo` days before `now` (a fresh session, in the account's time). */
  const daysAgo = async (days: number) => {
    await admin.testClock.advance(account.id, new Date(now.getTime() - days * DAY));
    ownerClient = await signIn();
  };
  const invite = async ([firstName, lastName, handle, qualification]: (typeof PEOPLE)[number], accept: boolean, role: 'admin' | 'member' = 'member') => {
    const { user } = await ownerClient.invitations.create({ email: `${handle}@northwind.example`, firstName, lastName, qualification, role });
    if (accept) {
      const [message] = (await admin.outbox.list({ limit: 1 })).data;
      await ownerClient.invitations.accept(message!.activationUrl!.split('/').pop()!, {});
    }
    return user;
  };
  // People who worked here before and hold no license now.
  for (const person of PEOPLE.slice(4)) {
    const user = await invite(person, true);
    await ownerClient.licenses.unassign(user.id);
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
  const { token } = await admin.sessions.create(account.id, { userId: owner.id });
  return { accountId: account.id, accountName, ownerId: owner.id, ownerToken: token, users: PEOPLE.length + 1, licenses: 5 };
}
