/**
 * The store serialises an account's changes without losing one, whatever the timing: a change that
 * arrives just as the changes before it finished (after any number of microtask turns, or with
 * none) is run and answered. Runs on memory, and on the file store and PostgreSQL in the
 * conformance runs (a change lost between two turns once hung PostgreSQL's group commit).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeHarness } from '../helpers/api.js';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe("the store's turns", () => {
  it('answers every change, however soon after the previous ones it arrives', async () => {
    const h = await storeHarness();
    const { accountId } = await h.createAccount();
    const change = (result: number) => h.store.transact(accountId, (doc) => ({ doc, events: [], result }));
    let answered = 0;
    const all = (async () => {
      for (let delay = 0; delay < 12; delay++) {
        for (let round = 0; round < 5; round++) {
          const first = change(delay);
          // The next change comes `delay` turns after the first is answered, and one more right away.
          const next = first.then(async () => {
            await turns(delay);
            return Promise.all([change(delay), change(delay)]);
          });
          await Promise.all([first, next]);
          answered += 3;
        }
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`a change was never answered (${answered} answered)`)), 20_000)));
    try {
      await Promise.race([all, stuck]);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(answered, 12 * 5 * 3);
  });
});
