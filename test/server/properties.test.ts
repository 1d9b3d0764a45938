/**
 * Property tests of the pure domain (server/domain): random starting accounts and random command
 * sequences, with the account invariants (docs/rules.md) and the money rules checked after every step.
 *
 * Each step is what `mutate()` does for a request: settle the account at the step's time
 * (renewals, invitation expiries), then apply the command. A domain error (ApiError, 4xx) is a
 * valid step: the state must then be exactly what it was.
 *
 * No license-day is charged twice (nor left uncharged): within a period the quantity never drops
 * (decreases wait for the period end), so the licenses paid beyond the period's starting quantity
 * are, day by day, `q(d) − startQuantity`, where `q(d)` is the highest quantity of day `d` (an
 * increase charges its own day) and, for the days still to come, the current quantity. The sum of
 * `added × remainingDays` over the period's proration invoices must EQUAL the sum of that over the
 * period's days `[utcDay(periodStart), utcDay(periodEnd))`: a double charge makes it larger, a gap
 * smaller. The starting quantity itself is paid by the renewal invoice (`quantity × unitPrice`).
 *
 * `STRESS=1` runs 5,000 sequences instead of 200 (npm run test:stress); PROPERTY_RUNS overrides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AssignableRole, Invoice } from '../../sdk/types.js';
import { ApiError } from '../../server/errors.js';
import {
  acceptInvitation,
  assignLicense,
  changeLicenses,
  countLicenses,
  createAccount,
  invite,
  quote,
  reassignLicense,
  resendInvitation,
  revokeInvitation,
  settle,
  transferOwnership,
  unassignLicense,
  updateUser,
  type AccountDoc,
  type Context,
  type Outcome,
} from '../../server/domain/index.js';

const STRESS = process.env.STRESS === '1';
const RUNS = Number(process.env.PROPERTY_RUNS ?? (STRESS ? 5000 : 200));
const DAY = 86_400_000;
const INVITATION_TTL = 7 * DAY;
const EMAILS = ['ann@acme.example', 'bob@acme.example', 'cy@acme.example', 'dee@acme.example', 'eve@acme.example', 'fay@acme.example', 'gus@acme.example'];

type Command =
  | { kind: 'invite'; email: number; upper: boolean; role: AssignableRole }
  | { kind: 'accept'; user: number; stale: boolean }
  | { kind: 'assign'; user: number }
  | { kind: 'unassign'; user: number }
  | { kind: 'reassign'; from: number; to: number }
  | { kind: 'resend'; user: number }
  | { kind: 'revoke'; user: number }
  | { kind: 'transfer'; user: number }
  | { kind: 'edit'; user: number; stale: boolean; role: AssignableRole | null; firstName: string | null }
  | { kind: 'change'; delta: number; wrongAmount: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'toPeriodEnd'; offsetMs: number }
  | { kind: 'toExpiry'; user: number; offsetMs: number };

const pick = fc.nat({ max: 20 });
const role = fc.constantFrom<AssignableRole>('admin', 'member');
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('invite' as const), email: fc.nat({ max: EMAILS.length - 1 }), upper: fc.boolean(), role }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('accept' as const), user: pick, stale: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('assign' as const), user: pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('unassign' as const), user: pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('reassign' as const), from: pick, to: pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('resend' as const), user: pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('revoke' as const), user: pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('transfer' as const), user: pick }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      user: pick,
      stale: fc.boolean(),
      role: fc.option(role),
      firstName: fc.option(fc.constantFrom('Ann', 'Bo', 'Cy')),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('change' as const), delta: fc.integer({ min: -4, max: 4 }), wrongAmount: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 400 * DAY })) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('toPeriodEnd' as const), offsetMs: fc.constantFrom(-1, 0, 1, -DAY, 3_600_000) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('toExpiry' as const), user: pick, offsetMs: fc.constantFrom(-1, 0, 1) }), weight: 1 },
);

const start = fc.record({
  quantity: fc.integer({ min: 1, max: 8 }),
  unitPrice: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 100_000_000 })),
  interval: fc.constantFrom<'month' | 'year'>('month', 'year'),
  // Dates with month-end and leap-day anchors, at any time of day.
  startMs: fc.oneof(
    fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2029, 0, 1) }),
    fc.constantFrom(Date.UTC(2024, 0, 31, 23, 30), Date.UTC(2024, 1, 29, 12), Date.UTC(2025, 11, 31, 0, 0)),
  ),
  members: fc.integer({ min: 0, max: 4 }),
});

/** round_half_up(unitPrice × added × remainingDays / periodDays), computed apart from the server's prorate(). */
function expectedProration(unitPrice: number, added: number, remainingDays: number, periodDays: number): number {
  if (remainingDays <= 0) return 0;
  const n = BigInt(unitPrice) * BigInt(added) * BigInt(remainingDays);
  const d = BigInt(periodDays);
  const q = n / d;
  return Number(2n * (n % d) >= d ? q + 1n : q);
}

const utcDay = (iso: string | number) => Math.floor((typeof iso === 'number' ? iso : Date.parse(iso)) / DAY);

/** A period's ledger: the quantity seen on each day (the last one seen is the day's highest: quantities only grow in a period). */
interface PeriodLedger {
  periodStart: string;
  periodEnd: string;
  startQuantity: number;
  quantity: number;
  byDay: Map<number, number>;
}

class Model {
  doc: AccountDoc;
  now: number;
  ids = 0;
  staleHashes: string[] = [];
  seenUserIds: string[] = [];
  ledgers: PeriodLedger[] = [];
  steps = 0;
  refused = 0;

  constructor(init: { quantity: number; unitPrice: number; interval: 'month' | 'year'; startMs: number }) {
    this.now = init.startMs;
    const created = createAccount(
      {
        name: 'Acme',
        licenses: { quantity: init.quantity, unitPrice: init.unitPrice, currency: 'USD', interval: init.interval },
        owner: { email: 'Owner@Acme.example', firstName: 'Olive', lastName: 'Owner' },
      },
      this.ctx(),
    );
    this.doc = created.doc;
    this.openLedger(init.quantity);
  }

  ctx(): Context {
    return { now: new Date(this.now), actor: { type: 'system' }, newId: (prefix) => `${prefix}_${++this.ids}` };
  }

  grant() {
    return { tokenHash: `hash_${++this.ids}`, expiresAt: new Date(this.now + INVITATION_TTL).toISOString() };
  }

  userAt(index: number) {
    const users = [...this.doc.users.values()];
    return users[index % users.length]!;
  }

  openLedger(startQuantity: number): void {
    const { plan } = this.doc;
    this.ledgers.push({ periodStart: plan.periodStart, periodEnd: plan.periodEnd, startQuantity, quantity: startQuantity, byDay: new Map() });
  }

  /** Records the current period's quantity on today's date. */
  observe(): void {
    const ledger = this.ledgers.at(-1)!;
    assert.equal(ledger.periodStart, this.doc.plan.periodStart);
    ledger.quantity = this.doc.plan.quantity;
    const day = utcDay(this.now);
    if (day >= utcDay(ledger.periodStart) && day < utcDay(ledger.periodEnd)) ledger.byDay.set(day, ledger.quantity);
  }

  /** What a request does first: apply every renewal and expiry due by now. Renewals open ledgers. */
  settle(): void {
    const before = this.doc.invoices.length;
    this.doc = settle(this.doc, this.ctx()).doc;
    for (const invoice of this.doc.invoices.slice(before)) {
      assert.equal(invoice.kind, 'renewal', 'settling records only renewal invoices');
      // The last period ended with the quantity it had; the new one starts at the renewal's.
      this.openLedgerFrom(invoice);
    }
  }

  openLedgerFrom(invoice: Invoice): void {
    this.ledgers.push({ periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, startQuantity: invoice.quantity, quantity: invoice.quantity, byDay: new Map() });
  }

  run(cmd: Command): void {
    this.steps++;
    if (cmd.kind === 'advance') this.now += cmd.ms;
    else if (cmd.kind === 'toPeriodEnd') this.now = Math.max(this.now, Date.parse(this.doc.plan.periodEnd) + cmd.offsetMs);
    else if (cmd.kind === 'toExpiry') {
      const expiresAt = this.userAt(cmd.user).invitation?.expiresAt;
      if (expiresAt) this.now = Math.max(this.now, Date.parse(expiresAt) + cmd.offsetMs);
    }
    this.settle();
    const before = this.doc;
    const frozen = serialize(before);
    try {
      this.doc = this.apply(cmd);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      assert.ok(error.status >= 400 && error.status < 500, `a domain error is a 4xx: ${error.status} ${error.code}`);
      this.refused++;
      assert.equal(this.doc, before, 'a refused command leaves the state as it was');
    }
    assert.equal(serialize(before), frozen, 'documents are immutable: the previous state is untouched');
    this.observe();
  }

  apply(cmd: Command): AccountDoc {
    const doc = this.doc;
    const ctx = this.ctx();
    const take = <T>(outcome: Outcome<T>) => outcome.doc;
    switch (cmd.kind) {
      case 'invite': {
        const email = cmd.upper ? EMAILS[cmd.email]!.toUpperCase() : EMAILS[cmd.email]!;
        return take(invite(doc, { email, firstName: 'New', lastName: 'Person', role: cmd.role, invitation: this.grant() }, ctx));
      }
      case 'accept': {
        const user = this.userAt(cmd.user);
        const tokenHash = cmd.stale && this.staleHashes.length > 0 ? this.staleHashes[cmd.user % this.staleHashes.length]! : user.invitation?.tokenHash;
        if (!tokenHash) return doc;
        const wasStale = user.invitation?.tokenHash !== tokenHash;
        const next = take(acceptInvitation(doc, { tokenHash }, ctx));
        assert.ok(!wasStale, 'a used, revoked or rotated token is refused');
        this.staleHashes.push(tokenHash);
        return next;
      }
      case 'assign':
        return this.retire(doc, () => take(assignLicense(doc, { userId: this.userAt(cmd.user).id, invitation: this.grant() }, ctx)));
      case 'unassign':
        return this.retire(doc, () => take(unassignLicense(doc, { userId: this.userAt(cmd.user).id }, ctx)));
      case 'reassign':
        return this.retire(doc, () =>
          take(reassignLicense(doc, { fromUserId: this.userAt(cmd.from).id, toUserId: this.userAt(cmd.to).id, invitation: this.grant() }, ctx)),
        );
      case 'resend':
        return this.retire(doc, () => take(resendInvitation(doc, { userId: this.userAt(cmd.user).id, invitation: this.grant() }, ctx)));
      case 'revoke':
        return this.retire(doc, () => take(revokeInvitation(doc, { userId: this.userAt(cmd.user).id }, ctx)));
      case 'transfer':
        return take(transferOwnership(doc, { userId: this.userAt(cmd.user).id }, ctx));
      case 'edit': {
        const user = this.userAt(cmd.user);
        const patch = { ...(cmd.role && { role: cmd.role }), ...(cmd.firstName && { firstName: cmd.firstName }) };
        return take(updateUser(doc, { userId: user.id, expectedVersion: cmd.stale ? user.version - 1 : user.version, patch }, ctx));
      }
      case 'change': {
        const quantity = Math.max(1, doc.plan.quantity + cmd.delta);
        const q = quote(doc, quantity, ctx.now);
        const expectedAmountDue = cmd.wrongAmount ? q.amountDue + 1 : q.amountDue;
        const outcome = changeLicenses(doc, { quantity, acceptAgreement: true, expectedAmountDue }, ctx);
        assert.ok(!cmd.wrongAmount, 'a change sent with another amount than the quote is refused');
        if (outcome.result) assert.equal(outcome.result.amount, q.amountDue, 'what is charged equals the quote');
        return outcome.doc;
      }
      default:
        return doc;
    }
  }

  /** Runs a command that may void invitation tokens; every token it voids joins the stale ones. */
  retire(doc: AccountDoc, fn: () => AccountDoc): AccountDoc {
    const next = fn();
    for (const [id, user] of doc.users) {
      const hash = user.invitation?.tokenHash;
      if (hash && next.users.get(id)?.invitation?.tokenHash !== hash) this.staleHashes.push(hash);
    }
    return next;
  }

  /** The account invariants and the money rules (docs/rules.md), on the current state. */
  check(): void {
    const { doc } = this;
    const users = [...doc.users.values()];
    const counts = countLicenses(doc);
    assert.ok(counts.inUse <= doc.plan.quantity, `inUse ${counts.inUse} ≤ quantity ${doc.plan.quantity}`);
    assert.ok(doc.plan.quantity >= 1 && doc.plan.quantity <= 100_000);

    const owners = users.filter((u) => u.role === 'owner');
    assert.equal(owners.length, 1, 'exactly one owner');
    assert.equal(owners[0]!.id, doc.ownerId);
    assert.equal(owners[0]!.status, 'enabled', 'the owner is enabled (holds a license)');
    assert.ok(owners[0]!.activatedAt);

    const ids = users.map((u) => u.id);
    assert.deepEqual(ids.slice(0, this.seenUserIds.length), this.seenUserIds, 'no user record ever disappears');
    this.seenUserIds = ids;

    const emails = users.map((u) => u.email.toLowerCase());
    assert.equal(new Set(emails).size, emails.length, 'emails are unique, case-insensitively');

    for (const user of users) {
      if (user.status === 'invited') assert.ok(user.invitation, `an invited user has an invitation: ${user.id}`);
      // An expired invitation keeps its hash, so its link answers 410 rather than 404.
      else if (user.invitation) assert.ok(user.status === 'disabled' && user.invitationExpired, `only an invited or expired user keeps a token: ${user.id}`);
      assert.equal(user.status !== 'disabled', user.licenseAssignedAt !== null, `licenseAssignedAt ⇔ holds a license: ${user.id}`);
    }
    for (const hash of this.staleHashes) {
      assert.ok(!users.some((u) => u.status === 'invited' && u.invitation?.tokenHash === hash), 'a voided token never works again');
    }

    this.checkMoney();
  }

  checkMoney(): void {
    const { doc } = this;
    const { unitPrice } = doc.plan;
    const renewals = doc.invoices.filter((i) => i.kind === 'renewal');
    assert.equal(renewals.length, this.ledgers.length - 1, 'one renewal invoice per period boundary passed');
    for (const [k, invoice] of renewals.entries()) {
      assert.equal(invoice.amount, invoice.quantity * unitPrice, 'renewal = quantity × unitPrice');
      assert.equal(invoice.periodStart, this.ledgers[k]!.periodEnd, 'periods are contiguous: none skipped, none charged twice');
    }
    for (const ledger of this.ledgers) {
      const startDay = utcDay(ledger.periodStart);
      const endDay = utcDay(ledger.periodEnd);
      const periodDays = endDay - startDay;
      let charged = 0n;
      for (const invoice of doc.invoices) {
        if (invoice.kind !== 'proration' || invoice.periodEnd !== ledger.periodEnd) continue;
        assert.ok(Date.parse(invoice.createdAt) >= Date.parse(ledger.periodStart) && Date.parse(invoice.createdAt) < Date.parse(ledger.periodEnd));
        const remainingDays = Math.max(0, endDay - utcDay(invoice.createdAt));
        assert.equal(invoice.amount, expectedProration(unitPrice, invoice.quantity, remainingDays, periodDays), 'proration invoice = the formula');
        assert.ok(invoice.quantity > 0);
        charged += BigInt(invoice.quantity) * BigInt(remainingDays);
      }
      let used = 0n;
      let q = ledger.startQuantity;
      for (let day = startDay; day < endDay; day++) {
        // A day not seen holds the quantity of the last day seen (in the current period, the days
        // to come hold today's): quantities only grow within a period.
        q = ledger.byDay.get(day) ?? q;
        used += BigInt(q - ledger.startQuantity);
      }
      assert.equal(charged, used, `license-days charged (${charged}) = license-days added (${used}) in ${ledger.periodStart} → ${ledger.periodEnd}`);
    }
  }
}

function serialize(doc: AccountDoc): string {
  return JSON.stringify({ ...doc, users: [...doc.users] });
}

const figures = { sequences: 0, steps: 0, refused: 0, renewals: 0, invoices: 0 };

describe('domain properties (fast-check)', () => {
  it(`keeps the account invariants and charges every license-day exactly once, over ${RUNS} random command sequences`, () => {
    fc.assert(
      fc.property(start, fc.array(command, { minLength: 1, maxLength: STRESS ? 120 : 60, size: 'max' }), (init, commands) => {
        const model = new Model(init);
        for (let i = 0; i < init.members; i++) {
          model.run({ kind: 'invite', email: i, upper: false, role: i === 0 ? 'admin' : 'member' });
          model.run({ kind: 'accept', user: i + 1, stale: false });
        }
        model.check();
        for (const cmd of commands) {
          model.run(cmd);
          model.check();
        }
        figures.sequences++;
        figures.steps += model.steps;
        figures.refused += model.refused;
        figures.renewals += model.ledgers.length - 1;
        figures.invoices += model.doc.invoices.length;
      }),
      { numRuns: RUNS },
    );
    console.log(`property-figures ${JSON.stringify(figures)}`);
  });
});
