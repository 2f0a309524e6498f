import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { StoreFullError } from '../../src/core/errors.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import { runStoreConformance } from '../conformance/store-suite.js';

runStoreConformance('memory', async () => new MemoryStore());
runManagerConformance('memory', async () => new MemoryStore());

describe('memory store specifics', () => {
  it('at maxSessions a login answers 507 store_full with a session-limit event, not an outage', async () => {
    const clock = manualClock();
    const events: TesseraEvent[] = [];
    const store = new MemoryStore({ maxSessions: 3 });
    const manager = createTessera({ store, clock, idleTimeout: 60, onEvent: (event) => events.push(event) });
    const first = await manager.create({ subject: 'alice' });
    clock.advance(61_000);
    const live = [await manager.create({ subject: 'bob' }), await manager.create({ subject: 'carol' })];
    // alice's session has expired: it is removed to make room, so this login still fits.
    const dave = await manager.create({ subject: 'dave' });
    assert.equal((await manager.validate(first.token)).ok, false);
    const refused = await manager.create({ subject: 'erin' }).then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof StoreFullError, 'a StoreFullError');
    assert.equal(refused.code, 'store_full');
    assert.equal(refused.status, 507, 'not 503: the store answers, it is full');
    assert.equal(refused.limit, 3);
    assert.deepEqual(
      events.filter((event) => event.type === 'session-limit').map((event) => [event.subject, event.reason]),
      [['erin', 'store-full']],
    );
    for (const { token } of [...live, dave])
      assert.ok((await manager.validate(token)).ok, 'existing sessions work');
    await manager.revoke(dave.token);
    assert.ok((await manager.create({ subject: 'erin' })).token, 'a login fits again once a session ended');
    await store.close();
  });
});
