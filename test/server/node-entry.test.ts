import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { start } from '../../server/node.js';

describe('the Node entry', () => {
  it('logs one JSON line per request with its request id, method, path, status and duration', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_node_entry_0123456789' }, (line) => lines.push(line));
    try {
      const health = await fetch(`${server.url}/healthz`);
      const missing = await fetch(`${server.url}/v1/accounts/acc_missing`, { headers: { Authorization: 'Bearer sk_node_entry_0123456789' } });
      const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = logged.filter((entry) => entry.message === 'request');
      assert.deepEqual(
        requests.map(({ method, path, status, requestId }) => ({ method, path, status, requestId })),
        [
          { method: 'GET', path: '/healthz', status: 200, requestId: health.headers.get('X-Request-Id') },
          { method: 'GET', path: '/v1/accounts/acc_missing', status: 404, requestId: missing.headers.get('X-Request-Id') },
        ],
      );
      for (const entry of requests) {
        assert.equal(typeof entry.ms, 'number');
        assert.ok(!Number.isNaN(Date.parse(entry.time as string)));
      }
    } finally {
      await server.close();
    }
  });

  it('logs no request lines with SEATKIT_LOG_REQUESTS=off', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_node_entry_0123456789', SEATKIT_LOG_REQUESTS: 'off' }, (line) => lines.push(line));
    try {
      await fetch(`${server.url}/healthz`);
      assert.equal(lines.filter((line) => line.includes('"message":"request"')).length, 0);
    } finally {
      await server.close();
    }
  });
});
