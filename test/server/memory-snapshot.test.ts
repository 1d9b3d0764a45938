/** A MemoryStore saved as JSON and restored (the static demo keeps its data in localStorage this way). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp } from '../../server/app.js';
import { MemoryStore } from '../../server/store/memory.js';
import { seedDemo } from '../../demo/seed.js';

const API_KEY = 'sk_memory_snapshot_0123456789';

describe('MemoryStore snapshot and restore', () => {
  it('restores accounts, users, sessions, invitations and the audit log from a JSON round trip', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, config: { apiKey: API_KEY, rateLimits: false } });
    const demo = await seedDemo(app, API_KEY);
    const invitation = (await (await app.request('/v1/outbox?limit=1', { headers: { Authorization: `Bearer ${API_KEY}` } })).json()) as {
      data: { activationUrl: string }[];
    };

    const restored = MemoryStore.restore(JSON.parse(JSON.stringify(store.snapshot())));
    const again = createApp({ store: restored, config: { apiKey: API_KEY, rateLimits: false } });
    const owner = { headers: { Authorization: `Bearer ${demo.ownerToken}` } };
    const get = async (target: typeof app, path: string) => (await target.request(path, owner)).json();
    const base = `/v1/accounts/${demo.accountId}`;

    // The owner's session token still signs in (the token index is rebuilt from the documents).
    assert.deepEqual(await get(again, base), await get(app, base));
    assert.deepEqual(await get(again, `${base}/users?limit=200`), await get(app, `${base}/users?limit=200`));
    assert.deepEqual(await get(again, `${base}/events?limit=200`), await get(app, `${base}/events?limit=200`));
    // The pending invitation's token is found too.
    const token = invitation.data[0]!.activationUrl.split('/').pop()!;
    const lookup = await again.request(`/v1/invitations/${token}`);
    assert.equal(lookup.status, 200);
    assert.equal(((await lookup.json()) as { email: string }).email, 'tim.bernerslee@northwind.example');
    // And it keeps working: a change commits on the restored store.
    const users = (await get(again, `${base}/users?role=member&status=enabled`)) as { data: { id: string }[] };
    const unassigned = await again.request(`${base}/users/${users.data[0]!.id}/license`, { ...owner, method: 'DELETE' });
    assert.equal(unassigned.status, 200);
    assert.equal(((await get(again, base)) as { licenses: { inUse: number } }).licenses.inUse, 4);
  });
});
