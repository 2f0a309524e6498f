/**
 * The store conformance suite. Every SessionStore runs it against its real server:
 *
 *   runStoreConformance('sqlite', async () => new SqliteStore({ path: join(dir, `${n++}.sqlite`) }));
 *
 * `open` must return an isolated, empty store each time; the suite closes every store it opens.
 * Each invariant of src/stores/contract.ts has at least one test here, and the concurrency tests fire
 * real parallel calls so a store that reads then writes without a transaction fails them.
 * With `options.faults` the suite also checks that every write reports a failed commit (store-faults.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionStore } from '../../src/core/store.js';
import { registerBrowseTests } from './store-browse.js';
import { registerCapTests } from './store-cap.js';
import { registerExpiryTests } from './store-expiry.js';
import { type CommitFaults, registerFaultTests } from './store-faults.js';
import { registerRefreshTests } from './store-refresh.js';
import { registerSessionTests } from './store-sessions.js';
import { registerUpdateTests } from './store-update.js';
import { registerWipeTests } from './store-wipe.js';

export type OpenStore = () => Promise<SessionStore>;

/** Runs `body` on a fresh store and always closes it. */
export type WithStore = (body: (store: SessionStore) => Promise<void>) => Promise<void>;

/** Optional fixtures of the suite, for what not every store can stage. */
export interface StoreSuiteOptions {
  /** A real commit fault (store-faults.ts); the memory store has none to stage and leaves it out. */
  faults?: CommitFaults;
}

/** Registers the store conformance suite for one store, opened fresh for each test by `open`. */
export function runStoreConformance(name: string, open: OpenStore, options: StoreSuiteOptions = {}): void {
  const withStore: WithStore = async (body) => {
    const store = await open();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  describe(`store conformance: ${name}`, () => {
    registerSessionTests(withStore);
    registerUpdateTests(withStore);
    registerCapTests(withStore);
    registerExpiryTests(withStore);
    registerRefreshTests(withStore);
    registerWipeTests(withStore, open);
    registerBrowseTests(withStore);
    registerFaultTests(options.faults);

    describe('lifecycle', () => {
      it('has a kind and answers ping', async () => {
        await withStore(async (store) => {
          assert.equal(typeof store.kind, 'string');
          assert.ok(store.kind.length > 0);
          await store.ping();
        });
      });

      it('shardFor, when present, is 4 base64url characters and stable per subject', async () => {
        await withStore(async (store) => {
          if (store.shardFor === undefined) return;
          for (const subject of ['alice', 'bob', 'é🙂', 'a:b{c}']) {
            const shard = store.shardFor(subject);
            assert.match(shard, /^[A-Za-z0-9_-]{4}$/);
            assert.equal(store.shardFor(subject), shard);
          }
        });
      });

      it('close releases the store: later calls reject instead of hanging or succeeding', async () => {
        const store = await open();
        await store.close();
        await assert.rejects(store.ping());
        await assert.rejects(store.get('AAAAAAAAAAAAAAAAAAAAAAAAAA'));
      });
    });
  });
}
