import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { newToken, sha256, timingSafeEqual } from '../../server/crypto.js';

describe('token hashing', () => {
  it("hashes like Node's crypto, so a data folder written with one hasher works with the other", async () => {
    for (const text of [newToken(), newToken(), '', 'Grüße 👋', 'x'.repeat(10_000)]) {
      assert.equal(await sha256(text), createHash('sha256').update(text).digest('hex'));
    }
  });
});

describe('timingSafeEqual', () => {
  it('is true for the same secret only: not a prefix, an extension, one character changed, nor another case', () => {
    const key = 'sk_test_0123456789abcdefghijklmnop';
    assert.equal(timingSafeEqual(key, `${key}`), true);
    for (const other of [key.slice(0, -1), `${key}p`, `${key.slice(0, -1)}q`, key.toUpperCase(), '', `x${key.slice(1)}`, 'sk_tést_0123456789abcdefghijklmnop']) {
      assert.equal(timingSafeEqual(other, key), false, other);
      assert.equal(timingSafeEqual(key, other), false, other);
    }
    assert.equal(timingSafeEqual('Grüße 👋', 'Grüße 👋'), true);
    assert.equal(timingSafeEqual('Grüße 👋', 'Grüße 👍'), false);
    assert.equal(timingSafeEqual('', ''), true);
  });
});
