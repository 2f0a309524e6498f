import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { StoreFullError } from '../../src/core/errors.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import { HOUR, MINUTE, makeRecord, T0 } from '../conformance/fixtures.js';
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

  it('keeps one expiry entry per session however often it is touched, and the sweep re-queues the touched', async () => {
    const store = new MemoryStore();
    const touched = makeRecord(store);
    const idle = makeRecord(store);
    for (const record of [touched, idle])
      await store.create(record, { maxPerSubject: null, overflow: 'evict-oldest', now: T0 });
    assert.equal(store.queuedExpiries, 2);
    let now = T0;
    for (let i = 0; i < 1000; i += 1) {
      now += 1000;
      const ok = await store.touch(touched.id, {
        expectedSecretHash: touched.secretHash,
        now,
        lastSeenAt: now,
        idleExpiresAt: now + 30 * MINUTE,
      });
      assert.ok(ok);
    }
    assert.equal(store.queuedExpiries, 2, 'a touch adds no entry');
    // Past the idle session's expiry: it goes, the touched one is found extended and queued again.
    assert.equal(await store.deleteExpired(T0 + 31 * MINUTE, 100), 1);
    assert.equal(await store.get(idle.id), null);
    assert.ok(await store.get(touched.id));
    assert.equal(store.queuedExpiries, 1);
    assert.equal(await store.deleteExpired(now + 31 * MINUTE, 100), 1);
    assert.equal(store.size, 0);
  });

  it('queues a session again when its expiry moves earlier, so the sweep is never late', async () => {
    const store = new MemoryStore();
    const record = makeRecord(store, { idleExpiresAt: T0 + 12 * HOUR });
    await store.create(record, { maxPerSubject: null, overflow: 'evict-oldest', now: T0 });
    await store.touch(record.id, {
      expectedSecretHash: record.secretHash,
      now: T0,
      lastSeenAt: T0,
      idleExpiresAt: T0 + MINUTE,
    });
    assert.equal(await store.deleteExpired(T0 + 2 * MINUTE, 100), 1, 'swept at the earlier expiry');
    assert.equal(store.queuedExpiries, 1, 'the superseded entry is skipped when its time comes');
    assert.equal(await store.deleteExpired(T0 + 13 * HOUR, 100), 0);
    assert.equal(store.queuedExpiries, 0);
  });

  it('keeps session text off the V8 heap, exact through rotate and data updates, in cells reused after revoke', async () => {
    const store = new MemoryStore({ maxSessions: 20_000 });
    const opts = { maxPerSubject: null, overflow: 'evict-oldest', now: T0 } as const;
    const record = makeRecord(store, {
      data: { name: 'Zoë 😀', note: 'x'.repeat(3000) },
      ip: '2001:db8::1',
      userAgent: 'Agent/1 (\u00ff\u00e9)',
    });
    await store.create(record, opts);
    assert.ok(store.textBytes > 3000, 'the text went to the off-heap slab');
    assert.deepEqual(await store.get(record.id), record);
    const rotated = await store.rotate(record.id, {
      expectedSecretHash: record.secretHash,
      secretHash: 'new-hash',
      previousSecretHash: record.secretHash,
      previousSecretValidUntil: T0 + MINUTE,
      rotatedAt: T0,
      lastSeenAt: T0,
      idleExpiresAt: T0 + HOUR,
      now: T0,
    });
    assert.equal(rotated?.secretHash, 'new-hash');
    assert.equal(rotated?.previousSecretHash, record.secretHash);
    assert.equal(rotated?.ip, record.ip, 'a rotation keeps the IP and User-Agent');
    assert.equal(rotated?.userAgent, record.userAgent);
    const updated = await store.updateData(
      record.id,
      { set: { name: 'Ada' } },
      { expectedVersion: null, now: T0 },
    );
    assert.equal(updated.status, 'ok');
    assert.deepEqual(await store.get(record.id), {
      ...record,
      ...rotated,
      data: { name: 'Ada', note: record.data.note },
      version: 2,
    });
    const steady = store.textBytes;
    for (let round = 0; round < 10_000; round += 1) {
      const churn = makeRecord(store, { data: { n: round } });
      await store.create(churn, opts);
      await store.delete(churn.id);
    }
    assert.equal(store.textBytes - steady, 2 ** 16, 'logins and logouts in turn reuse one chunk of cells');
    await store.delete(record.id);
    assert.equal(store.textBytes, 2 ** 16, 'the own chunk of a large session is freed with it');
  });

  it('a session whose text cannot be stored (data with a BigInt) is refused and changes nothing', async () => {
    const store = new MemoryStore();
    const opts = { maxPerSubject: null, overflow: 'evict-oldest', now: T0 } as const;
    const bad = makeRecord(store, { data: { n: 1n } as unknown as Record<string, never> });
    await assert.rejects(store.create(bad, opts), TypeError);
    assert.equal(store.size, 0);
    assert.equal(store.textBytes, 0);
    assert.equal(await store.get(bad.id), null);
    assert.deepEqual(await store.listBySubject(bad.subject, T0), []);
    const good = { ...bad, data: { n: 1 } };
    await store.create(good, opts);
    assert.deepEqual(await store.get(bad.id), good, 'the id is free to use');
  });

  it('keeps data as its own JSON: nothing a caller does to a record changes the store, a slot reused starts clean', async () => {
    const store = new MemoryStore();
    const first = makeRecord(store, { data: { cart: { items: 1 } }, ip: '192.0.2.1', userAgent: 'UA' });
    await store.create(first, { maxPerSubject: null, overflow: 'evict-oldest', now: T0 });
    (first.data as { cart: { items: number } }).cart.items = 99;
    const read = await store.get(first.id);
    assert.ok(read);
    assert.deepEqual(read.data, { cart: { items: 1 } }, 'the input was copied');
    (read.data as { cart: { items: number } }).cart.items = 42;
    assert.deepEqual((await store.get(first.id))?.data, { cart: { items: 1 } }, 'the output is a copy');
    await store.delete(first.id);
    const second = makeRecord(store);
    await store.create(second, { maxPerSubject: null, overflow: 'evict-oldest', now: T0 });
    assert.deepEqual(await store.get(second.id), second, 'the freed slot holds nothing of the first');
    assert.equal(await store.get(first.id), null);
  });
});
