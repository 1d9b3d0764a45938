/**
 * `GET /docs`: the interactive API reference, served from the installed package (no CDN), listing
 * the operations of `/v1/openapi.json`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { start, type Started } from '../../server/node.js';
import { API_KEY } from '../helpers/api.js';

let server: Started;
before(async () => {
  server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off', SMTP_URL: '' }, () => {});
});
after(() => server.close());

describe('the API reference at /docs', () => {
  it('serves a page whose scripts and styles all come from this server', async () => {
    const page = await fetch(`${server.url}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('Content-Type')!, /^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(assets.filter((a) => !a.startsWith('/docs/assets/')), [], 'nothing from another origin');
    for (const asset of assets) {
      const res = await fetch(`${server.url}${asset}`);
      assert.equal(res.status, 200, asset);
      assert.ok((await res.arrayBuffer()).byteLength > 0, asset);
    }
    const start = await (await fetch(`${server.url}/docs/assets/start.js`)).text();
    assert.match(start, /url: '\/v1\/openapi\.json'/);
  });

  it('serves only its own assets', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/index.html']) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
    }
  });
});
