/**
 * docs/embedding.md's snippets run as written: each `ts` block after its `<!-- embed-…` marker is
 * written into the repository (so its imports resolve; `seatkit/server` pointed at
 * server/index.ts), run with tsx as its own process, and used through the SDK at its mount point.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SeatAdmin } from '../../sdk/index.js';
import { API_KEY } from '../helpers/api.js';
import { runSnippet, snippet, type RunningSnippet } from '../helpers/snippets.js';

const running: RunningSnippet[] = [];
const folders: string[] = [];
after(async () => {
  await Promise.all(running.map((app) => app.close()));
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs the snippet `name` of docs/embedding.md on a data folder of its own. */
async function run(name: string): Promise<RunningSnippet> {
  const data = await mkdtemp(join(tmpdir(), 'seatkit-embed-'));
  folders.push(data);
  const app = await runSnippet(name, await snippet('docs/embedding.md', name), { SEATKIT_API_KEY: API_KEY, SEATKIT_DATA: data });
  running.push(app);
  return app;
}

describe('docs/embedding.md: the API mounted in a host server', () => {
  for (const name of ['embed-hono', 'embed-express']) {
    it(`${name}: the host's own routes and seatkit's API under /seatkit, through the SDK`, async () => {
      const host = await run(name);
      assert.equal(await (await fetch(`${host.url}/`)).text(), 'the host product');
      const admin = new SeatAdmin({ baseUrl: `${host.url}/seatkit`, apiKey: API_KEY });
      const { account, owner } = await admin.accounts.create({
        name: 'Embedded Inc',
        licenses: { quantity: 3, unitPrice: 1000, currency: 'EUR', interval: 'month' },
        owner: { email: 'owner@embedded.example', firstName: 'Emma', lastName: 'Bedded' },
      });
      const { user } = await admin.users.provision(account.id, { email: 'dev@embedded.example', firstName: 'Dev', lastName: 'One' });
      const users = await admin.account(account.id).users.list();
      assert.deepEqual(users.data.map((u) => u.id).sort(), [owner.id, user.id].sort());
      assert.equal((await fetch(`${host.url}/seatkit/v1/accounts/${account.id}`)).status, 401, 'the API still wants its token');
    });
  }
});
