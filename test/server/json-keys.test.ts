/**
 * The duplicate-key scan of request bodies (server/json.ts): every duplicate at any depth is found,
 * and nothing else is taken for one (strings holding quotes, escapes, colons and braces).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { duplicateKeyPath } from '../../server/json.js';

function scan(text: string): string | null {
  JSON.parse(text); // the scan's precondition: valid JSON
  return duplicateKeyPath(text);
}

describe('duplicateKeyPath', () => {
  it('finds a key given twice at the top level, nested in an object, and in an object inside a list', () => {
    assert.equal(scan('{"quantity":1,"quantity":2}'), 'quantity');
    assert.equal(scan('{"a":1,"owner":{"email":"x","email":"y"}}'), 'owner.email');
    assert.equal(scan('{"ops":[{"op":"a"},{"op":"b","op":"c"}]}'), 'ops.1.op');
    assert.equal(scan('[[1],[{"k":[{}]},{"k":1,"k":2}]]'), '1.1.k');
    assert.equal(scan('{"a":{"b":{"c":{"d":1,"d":{}}}}}'), 'a.b.c.d');
  });

  it('compares keys decoded: an escaped spelling of the same key is a duplicate', () => {
    assert.equal(scan('{"quantity":1,"\\u0071uantity":2}'), 'quantity');
    assert.equal(scan('{"a\\"b":1,"a\\u0022b":2}'), 'a"b');
    assert.equal(scan('{"\\\\":1,"\\u005c":2}'), '\\');
    assert.equal(scan('{"é":1,"\\u00e9":2}'), 'é');
  });

  it('finds nothing when the same key is in different objects or at different depths', () => {
    assert.equal(scan('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'), null);
    assert.equal(scan('[{"a":1},{"a":1}]'), null);
    assert.equal(scan('{"a":{},"b":{}}'), null);
    assert.equal(scan('{}'), null);
    assert.equal(scan('[]'), null);
    assert.equal(scan('"a"'), null);
    assert.equal(scan('  {  "a" : 1 ,\n "b" : [ ] }  '), null);
  });

  it('does not take values for keys, whatever they hold: quotes, escapes, colons, braces, commas', () => {
    assert.equal(scan('{"a":"\\"a\\":1","b":"a"}'), null);
    assert.equal(scan('{"a":"x\\\\","b":"a","c":"{\\"a\\":1,\\"a\\":2}"}'), null);
    assert.equal(scan('{"a":["a","a",{"b":"a"}],"b":"}{][,:"}'), null);
    assert.equal(scan('{"a":"x\\\\","a":1}'), 'a', 'a value ending in a backslash still ends at its quote');
    assert.equal(scan('{"k":"\\\\\\"","k":1}'), 'k');
    assert.equal(scan('{"a":[1,2,3],"b":{"c":true,"d":null},"a":0}'), 'a');
  });

  it('finds no duplicate in any JSON.stringify output (random values), and finds one added to any object of it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        assert.equal(duplicateKeyPath(text), null, text);
        const repeated = withRepeatedKey(value);
        if (repeated !== null) {
          JSON.parse(repeated);
          assert.notEqual(duplicateKeyPath(repeated), null, repeated);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * `value` as JSON.stringify writes it, except that the first object with a key to be written out
 * in full gives its first key twice (`"k":0,` before its own entries); null when it has no key.
 * Written by walking the value, not by searching the text: a `{` inside a string is no object.
 */
function withRepeatedKey(value: unknown): string | null {
  let repeated = false;
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const keys = Object.keys(v);
    const entries = keys.map((key) => `${JSON.stringify(key)}:${write((v as Record<string, unknown>)[key])}`);
    if (!repeated && keys.length > 0) {
      repeated = true;
      entries.unshift(`${JSON.stringify(keys[0])}:0`);
    }
    return `{${entries.join(',')}}`;
  };
  const text = write(value);
  return repeated ? text : null;
}
