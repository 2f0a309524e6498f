import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { auditPseudonym } from '../../src/audit/record.js';
import { createFileAuditTrail } from '../../src/audit/file-trail.js';
import { verifyAuditTrail } from '../../src/audit/verify.js';
import { parseToken } from '../../src/core/token.js';
import { ALL_EVENT_TYPES, type Dir, records, tempDir, world } from './support.js';

const KEY = 'audit-key-0123456789abcdefghijklmnopqrstuv';

describe('file audit trail: what it writes', () => {
  let dir: Dir;
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.remove());

  it('writes every event type the engine emits, in order, as a verifiable chain', async () => {
    const path = dir.file('all.jsonl');
    const trail = createFileAuditTrail({ path });
    assert.equal(await trail.ready, null);
    const { manager, clock } = world({
      maxSessionsPerSubject: 1,
      overflow: 'refuse',
      binding: { userAgent: true },
    });
    manager.on('*', trail.listener);

    const first = await manager.create({ subject: 'alice', userAgent: 'ua-1' }); // created
    const rotated = await manager.rotate(first.token, { userAgent: 'ua-1' }); // rotated
    assert.ok(rotated.ok);
    const elevated = await manager.elevate(rotated.token, 2, { userAgent: 'ua-1' }); // elevated
    assert.ok(elevated.ok);
    await manager.update(elevated.session.id, { set: { theme: 'dark' } }); // data-updated
    await assert.rejects(manager.create({ subject: 'alice' })); // session-limit
    await manager.validate(elevated.token, { userAgent: 'ua-2' }); // binding-mismatch
    await manager.validate(first.token, { userAgent: 'ua-1' }); // unknown-token (secret mismatch)
    await manager.validate(`ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`); // unknown-token (strict)
    const second = await manager.create({ subject: 'bob' });
    clock.advance(601_000);
    await manager.validate(second.token); // expired
    await manager.revokeById(elevated.session.id, 'admin'); // revoked
    // Emitted by transports and the refresh helper through the same hub:
    manager.emit({ type: 'csrf-rejected', sessionId: null, subject: null, reason: 'origin_mismatch' });
    manager.emit({ type: 'refresh-reuse', sessionId: null, subject: 'bob', reason: 'reused' });
    manager.emit({ type: 'renewed', sessionId: second.session.id, subject: 'bob' });
    manager.emit({ type: 'device-bound', sessionId: second.session.id, subject: 'bob', reason: 'dbsc' });
    assert.equal(await manager.endEverySession({ reason: 'key-leak' }), 1); // revoked-everyone
    await trail.close();

    const written = await records(path);
    const types = new Set(written.map((record) => record.type));
    for (const type of ALL_EVENT_TYPES) assert.ok(types.has(type), `${type} is in the trail`);
    assert.deepEqual(
      written.map((record) => record.seq),
      written.map((_, index) => index + 1),
    );
    const revoked = written.find((record) => record.type === 'revoked');
    assert.equal(revoked?.reason, 'admin');
    assert.equal(revoked?.sessionId, elevated.session.id);
    assert.equal(revoked?.subject, 'alice');
    const everyone = written.find((record) => record.type === 'revoked-everyone');
    assert.deepEqual(
      { sessionId: everyone?.sessionId, subject: everyone?.subject, reason: everyone?.reason },
      { sessionId: null, subject: null, reason: 'key-leak' },
    );
    assert.deepEqual(everyone?.detail, { ended: 1 });
    const created = written.find((record) => record.type === 'created');
    assert.match(String(created?.time), /^2026-01-01T09:00:00\.000Z$/);
    assert.deepEqual(created?.detail, { level: 1 });
    assert.equal(trail.stats().written, written.length);
    const verdict = await verifyAuditTrail(path);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.equal(verdict.records, written.length);
  });

  it('never writes a token, a secret or a secret hash; with a key, never the subject either', async () => {
    const path = dir.file('secrets.jsonl');
    const trail = createFileAuditTrail({ path, key: KEY });
    const { manager, store } = world({ rotationGrace: 30 });
    manager.on('*', trail.listener);
    const secrets: string[] = [];
    const remember = async (token: string): Promise<void> => {
      const parsed = parseToken(token);
      assert.ok(parsed !== null);
      secrets.push(token, parsed.secret);
      const record = await store.get(parsed.sessionId);
      if (record !== null) {
        secrets.push(record.secretHash);
        if (record.previousSecretHash !== null) secrets.push(record.previousSecretHash);
      }
    };
    const subjects = ['carol@example.com', 'dave@example.com'];
    for (const subject of subjects) {
      const issued = await manager.create({ subject });
      await remember(issued.token);
      const rotated = await manager.rotate(issued.token);
      assert.ok(rotated.ok);
      await remember(rotated.token);
      await manager.validate(issued.token); // in grace: fine
      await manager.validate(`${rotated.token.slice(0, -1)}A`); // wrong secret: unknown-token
      assert.equal(await manager.revoke(rotated.token), true);
    }
    // A custom emitter that leaks a token into an event is scrubbed too (defence in depth).
    const leaked = secrets[0] as string;
    manager.emit({
      type: 'csrf-rejected',
      sessionId: null,
      subject: leaked,
      reason: leaked,
      detail: { t: leaked },
    });
    await trail.close();

    const text = await readFile(path, 'utf8');
    assert.ok(secrets.length >= 10);
    for (const secret of secrets)
      assert.ok(!text.includes(secret), 'no token, secret or secret hash on disk');
    assert.ok(!text.includes('ts1.'), 'nothing token-shaped on disk');
    for (const subject of subjects) assert.ok(!text.includes(subject), 'subjects are pseudonymised');
    const written = await records(path);
    const carol = auditPseudonym(KEY, 'carol@example.com');
    assert.ok(written.some((record) => record.type === 'created' && record.subjectHmac === carol));
    assert.ok(written.every((record) => !('subject' in record)));
    assert.ok(written.some((record) => record.type === 'revoked' && record.reason === 'logout'));
    const scrubbed = written.at(-1);
    assert.equal(scrubbed?.reason, '[redacted]');
    assert.deepEqual(scrubbed?.detail, { t: '[redacted]' });
    assert.ok((await verifyAuditTrail(path)).ok);
  });

  it('creates the file with mode 0600', async () => {
    const path = dir.file('nested/folder/mode.jsonl');
    const trail = createFileAuditTrail({ path });
    assert.equal(await trail.ready, null);
    await trail.close();
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});
