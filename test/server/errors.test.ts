import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createApp } from '../../server/app.js';
import { MemoryStore } from '../../server/store/memory.js';
import { ERROR_CODES } from '../../sdk/types.js';
import { API_KEY, isProblem } from '../helpers/api.js';

describe('the error model', () => {
  it('answers an unexpected failure with 500 problem+json internal_error, logged at level error with its request id, no internals leaked', async () => {
    const logged: Record<string, unknown>[] = [];
    const store = new MemoryStore();
    store.create = async () => {
      throw new Error('secret connection string postgres://u:p@db');
    };
    const app = createApp({ store, config: { apiKey: API_KEY, log: (entry) => logged.push(entry) } });
    const response = await app.request('/v1/accounts', {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Acme',
        licenses: { quantity: 1, unitPrice: 1, currency: 'EUR', interval: 'year' },
        owner: { email: 'o@acme.example', firstName: 'O', lastName: 'W' },
      }),
    });
    const body = await response.json();
    assert.ok(isProblem({ status: response.status, headers: response.headers, body }, 500, 'internal_error'));
    assert.doesNotMatch(JSON.stringify(body), /postgres|secret/);
    assert.equal(response.headers.get('X-Request-Id'), body.requestId);
    const entry = logged.find((e) => e.requestId === body.requestId);
    assert.equal(entry?.level, 'error', JSON.stringify(logged));
    assert.match(String(entry.error), /secret connection string/);
  });

  it('has a test for every error code it can answer', () => {
    const dir = new URL('.', import.meta.url).pathname;
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const untested = Object.keys(ERROR_CODES).filter((code) => !tests.includes(`'${code}'`));
    assert.deepEqual(untested, [], `codes no test asserts: ${untested.join(', ')}`);
  });
});
