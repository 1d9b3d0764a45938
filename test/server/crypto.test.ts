import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { newToken, randomId, sha256, timingSafeEqual } from '../../server/crypto.js';

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

describe('ids and tokens', () => {
  it('are all different across many refills of the random pool, each of its full size', () => {
    // 16 bytes an id, 32 a token: 20,000 of them draw the 4 KiB pool about 120 times.
    const ids = Array.from({ length: 10_000 }, () => randomId('usr'));
    const tokens = Array.from({ length: 10_000 }, () => newToken());
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(tokens).size, tokens.length);
    for (const id of ids) assert.match(id, /^usr_[A-Za-z0-9_-]{22}$/);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    // No bytes handed out twice: the 128-bit ids share no 8-byte run (they would if the pool were reused).
    const runs = new Set<string>();
    for (const id of ids) {
      const bytes = Buffer.from(id.slice(4), 'base64url');
      for (let i = 0; i + 8 <= bytes.length; i += 8) {
        const run = bytes.subarray(i, i + 8).toString('hex');
        assert.ok(!runs.has(run), 'a run of random bytes appears twice');
        runs.add(run);
      }
    }
  });
});
