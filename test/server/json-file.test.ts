/**
 * The data folder's JSON documents (server/store/json-file.ts): serialised a slice at a time, with
 * the same text `JSON.stringify` writes, and written with their size known.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nodeFileSystem } from '../../server/store/fs.js';
import { JsonFile, jsonInSlices } from '../../server/store/json-file.js';

describe('jsonInSlices', () => {
  const values: [string, unknown][] = [
    ['a number', 42],
    ['a string with quotes, escapes and non-ASCII', 'a "b" \\ \n é 😀 \u2028'],
    ['null', null],
    ['an empty object and array', { a: {}, b: [] }],
    ['members JSON leaves out', { a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: undefined }],
    ['an object whose only member is left out', { gone: undefined }],
    ['array items JSON writes as null', [undefined, () => 1, Symbol('s'), 2]],
    ['dates and other objects with toJSON', { at: new Date('2026-12-02T10:00:00Z'), nested: [{ at: new Date(0) }], custom: { toJSON: () => ({ x: 1 }) } }],
    ['a Map (JSON writes {})', { m: new Map([['a', 1]]) }],
    ['an array with a toJSON of its own', { list: Object.assign([1, 2], { toJSON: () => 'mine' }) }],
    ['an own __proto__ key', JSON.parse('{"__proto__":{"a":1},"b":[{"__proto__":2}]}')],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1, b: [1, 2] })],
    ['nesting deeper than the slices descend', { doc: { users: [{ id: 'u1', roles: [{ a: [1, { b: 2 }] }] }] } }],
    ['keys that need escaping', { 'a"b': 1, '\n': 2, __proto__x: 3 }],
  ];
  for (const [name, value] of values) {
    it(`writes what JSON.stringify writes: ${name}`, async () => {
      assert.equal((await jsonInSlices(value)).join(''), JSON.stringify(value));
      assert.equal((await jsonInSlices(value, { depth: 1 })).join(''), JSON.stringify(value));
      assert.equal((await jsonInSlices(value, { depth: 10, sliceMs: 0 })).join(''), JSON.stringify(value));
    });
  }

  it('lets other work run while it serialises a large document, and gives it in pieces', async () => {
    const doc = { format: 2, doc: { id: 'acc_1', users: Array.from({ length: 20_000 }, (_, i) => ({ id: `usr_${i}`, email: `u${i}@example.com`, firstName: 'Ada', lastName: `N${i}` })) } };
    const immediate = new Promise<boolean>((resolve) => setImmediate(() => resolve(true)));
    let done = false;
    const pieces = jsonInSlices(doc, { sliceMs: 0 }).finally(() => (done = true));
    assert.equal(await Promise.race([immediate, pieces.then(() => false)]), true, 'a callback queued after it started ran before it ended');
    assert.equal(done, false);
    const text = await pieces;
    assert.equal(text.join(''), JSON.stringify(doc));
    assert.ok(text.length > 10, `${text.length} pieces`);
  });
});

describe('JsonFile', () => {
  it('writes the document atomically, reads it back checked, and knows its size in bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-json-file-'));
    try {
      const path = join(dir, 'doc.json');
      const check = (data: unknown) => ((data as { ok?: unknown }).ok === true ? null : 'expected { ok: true }');
      const file = new JsonFile<{ ok: boolean; name: string }>(nodeFileSystem, path, check, 'a test document');
      assert.equal(file.size, 0);
      await file.write({ ok: true, name: 'é'.repeat(10) });
      const text = await readFile(path, 'utf8');
      assert.equal(text, JSON.stringify({ ok: true, name: 'é'.repeat(10) }));
      assert.equal(file.size, Buffer.byteLength(text));
      const again = new JsonFile<{ ok: boolean; name: string }>(nodeFileSystem, path, check, 'a test document');
      assert.deepEqual(await again.read(), { ok: true, name: 'é'.repeat(10) });
      assert.equal(again.size, Buffer.byteLength(text));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
