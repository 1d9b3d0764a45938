import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { newToken, sha256 } from '../../server/crypto.js';

describe('token hashing', () => {
  it("hashes like Node's crypto, so a data folder written with one hasher works with the other", async () => {
    for (const text of [newToken(), newToken(), '', 'Grüße 👋', 'x'.repeat(10_000)]) {
      assert.equal(await sha256(text), createHash('sha256').update(text).digest('hex'));
    }
  });
});
