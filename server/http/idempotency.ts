/**
 * `Idempotency-Key` on a change: the first request with a key runs and its answer is kept with the
 * account (24 h) in the same commit; the same key with the same request replays that answer
 * (`Idempotent-Replayed: true`), with another request is 422, and while the first still runs 409.
 */
import type { AccountDoc, Context, Outcome } from '../domain/state.js';
import { ApiError } from '../errors.js';
import { mutate } from './account.js';
import type { Ctx } from './context.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Runs `change` once per `key` and `request` (what makes two requests the same); answers its `result` or the replay. */
export async function idempotent<B>(c: Ctx, accountId: string, key: string, request: unknown, change: (doc: AccountDoc, ctx: Context) => Outcome<B>): Promise<B> {
  const { inFlight, clock, hash } = c.get('deps');
  const fingerprint = await hash(JSON.stringify(request));
  const slot = `${accountId}\n${key}`;
  if (inFlight.has(slot)) throw new ApiError('idempotency_key_in_use', 'A request with this Idempotency-Key is still running. Retry shortly.', { headers: { 'Retry-After': '1' } });
  inFlight.add(slot);
  try {
    const outcome = await mutate(c, accountId, (doc, ctx) => {
      const wall = clock.now();
      const fresh = (createdAt: string) => wall.getTime() - Date.parse(createdAt) < IDEMPOTENCY_TTL_MS;
      const seen = Object.hasOwn(doc.idempotency, key) ? doc.idempotency[key] : undefined;
      if (seen && fresh(seen.createdAt)) {
        if (seen.fingerprint !== fingerprint) throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with another request. Use a new key.');
        return { doc, events: [], result: { replayed: true, body: seen.body as B } };
      }
      const changed = change(doc, ctx);
      const kept = Object.entries(doc.idempotency).filter(([, record]) => fresh(record.createdAt));
      const idempotency = Object.fromEntries([...kept, [key, { fingerprint, status: 200, body: changed.result, createdAt: wall.toISOString() }]]);
      return { ...changed, doc: { ...changed.doc, idempotency }, result: { replayed: false, body: changed.result } };
    });
    if (outcome.result.replayed) c.header('Idempotent-Replayed', 'true');
    return outcome.result.body;
  } finally {
    inFlight.delete(slot);
  }
}
