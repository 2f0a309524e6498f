import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createFileAuditTrail } from '../../src/audit/file-trail.js';
import { createMemoryAuditTrail } from '../../src/audit/memory-trail.js';
import { verifyAuditTrail } from '../../src/audit/verify.js';
import { type Dir, records, tempDir, world } from './support.js';

describe('audit trail faults and bounds', () => {
  let dir: Dir;
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.remove());

  it('a path that cannot be opened reports through the callback; sessions keep working', async () => {
    // A regular file where a folder should be: ENOTDIR even for root, unlike a read-only folder.
    const blocker = dir.file('not-a-folder');
    await writeFile(blocker, 'x');
    const errors: Error[] = [];
    const trail = createFileAuditTrail({
      path: `${blocker}/audit.jsonl`,
      onError: (error) => errors.push(error),
    });
    const { manager } = world();
    manager.on('*', trail.listener);
    const ready = await trail.ready;
    assert.ok(ready instanceof Error);
    // mkdir says EEXIST (a file holds the folder's name); open would say ENOTDIR.
    assert.ok(['EEXIST', 'ENOTDIR'].includes(String((ready as NodeJS.ErrnoException).code)));

    const issued = await manager.create({ subject: 'erin' });
    const checked = await manager.validate(issued.token);
    assert.equal(checked.ok, true);
    assert.equal(await manager.revoke(issued.token), true);
    await trail.flush();
    assert.equal(errors.length, 1, 'told once per failure episode, not per record');
    assert.equal(errors[0], ready);
    const stats = trail.stats();
    assert.equal(stats.written, 0);
    assert.equal(stats.failed, 2);
    assert.ok(stats.writeErrors >= 2);
    await trail.close();
  });

  it('a full disk (/dev/full) reports through the callback and never breaks validation', {
    skip: !existsSync('/dev/full'),
  }, async () => {
    const errors: Error[] = [];
    const trail = createFileAuditTrail({ path: '/dev/full', onError: (error) => errors.push(error) });
    assert.equal(await trail.ready, null);
    const { manager } = world();
    manager.on('*', trail.listener);
    const issued = await manager.create({ subject: 'frank' });
    await trail.flush();
    for (let i = 0; i < 3; i++) assert.equal((await manager.validate(issued.token)).ok, true);
    assert.equal(await manager.revoke(issued.token), true);
    await trail.close();
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.equal(trail.stats().written, 0);
    assert.equal(trail.stats().failed, 2);
  });

  it('a throwing error callback is contained', async () => {
    const trail = createFileAuditTrail({
      path: '/dev/full',
      onError: () => {
        throw new Error('callback bug');
      },
    });
    const { manager } = world();
    manager.on('*', trail.listener);
    const issued = await manager.create({ subject: 'gina' });
    await trail.close();
    assert.equal((await manager.validate(issued.token)).ok, true);
  });

  it('the queue is bounded: overflow is dropped, counted, and announced in the trail', async () => {
    const path = dir.file('bounded.jsonl');
    const trail = createFileAuditTrail({ path, maxQueue: 5 });
    const { manager } = world();
    manager.on('*', trail.listener);
    // 20 events in one turn, before the disk gets a chance: only 5 fit.
    for (let i = 0; i < 20; i++)
      manager.emit({ type: 'csrf-rejected', sessionId: null, subject: null, reason: `r${i}` });
    assert.equal(trail.stats().queued, 5);
    assert.equal(trail.stats().dropped, 15);
    await trail.flush();
    manager.emit({ type: 'csrf-rejected', sessionId: null, subject: null, reason: 'later' });
    await trail.close();
    const written = await records(path);
    assert.deepEqual(
      written.map((record) => record.reason ?? record.type),
      ['audit-dropped', 'r0', 'r1', 'r2', 'r3', 'r4', 'later'],
    );
    assert.deepEqual(written[0]?.detail, { count: 15 });
    assert.equal(trail.stats().written, 6);
    assert.ok((await verifyAuditTrail(path)).ok);
  });

  it('records after close are dropped and counted, not written', async () => {
    const path = dir.file('closed.jsonl');
    const trail = createFileAuditTrail({ path });
    const { manager } = world();
    manager.on('*', trail.listener);
    await manager.create({ subject: 'hank' });
    await trail.close();
    await manager.create({ subject: 'hank' });
    assert.equal(trail.stats().dropped, 1);
    assert.equal((await records(path)).length, 1);
  });

  it('batches many events into few writes, in order', async () => {
    const path = dir.file('batch.jsonl');
    const trail = createFileAuditTrail({ path, maxBatch: 64, fsync: false });
    const { manager } = world();
    manager.on('*', trail.listener);
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const issued = await manager.create({ subject: `s${i}` });
        ids.push(issued.session.id);
      }),
    );
    await trail.close();
    const written = await records(path);
    assert.deepEqual(
      written.map((record) => record.sessionId),
      ids,
    );
    assert.ok((await verifyAuditTrail(path)).ok);
  });

  it('the in-memory ring buffer keeps the newest records', async () => {
    const ring = createMemoryAuditTrail({ capacity: 3, key: 'k'.repeat(32) });
    const { manager } = world();
    manager.on('*', ring.listener);
    for (let i = 0; i < 5; i++) await manager.create({ subject: `ivy-${i}` });
    const kept = ring.records();
    assert.deepEqual(
      kept.map((record) => record.seq),
      [3, 4, 5],
    );
    assert.equal(ring.evicted, 2);
    assert.ok(kept.every((record) => record.type === 'created' && typeof record.subjectHmac === 'string'));
    assert.ok(!JSON.stringify(kept).includes('ivy-'));
    ring.clear();
    assert.deepEqual(ring.records(), []);
  });
});
