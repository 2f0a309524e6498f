import { EVERYONE_SCOPE, sessionScope } from '../../src/core/cutoffs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_VERSION } from '../../src/core/manager.js';
import { newSubject } from './fixtures.js';
import type { WithManager } from './manager-setup.js';

/** Strings no store can keep as given: NUL (PostgreSQL text and jsonb) and lone surrogates (Redis Lua cjson). */
const MALFORMED: ReadonlyArray<readonly [string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
  ['a high surrogate at the end', 'ab\ud83d'],
];

/**
 * Bad input is refused before the store, the same way on every store: a TypeError (400 in the service), no
 * store call, nothing written. (An earlier build let PostgreSQL and Redis turn these into 503s, or into a
 * session that could not be revoked.)
 */
export function registerInputScenarios(withManager: WithManager): void {
  describe('malformed input never reaches the store', () => {
    for (const [label, text] of MALFORMED) {
      it(`refuses ${label} in the subject, the client facts, data keys and values, and unset keys`, async () => {
        await withManager({}, async ({ manager, totalCalls }) => {
          const subject = newSubject();
          const { session } = await manager.create({ subject, data: { keep: 1 } });
          const before = totalCalls();
          await assert.rejects(manager.create({ subject: `${subject}${text}` }), TypeError);
          await assert.rejects(manager.create({ subject, userAgent: text }), TypeError);
          await assert.rejects(manager.create({ subject, ip: text }), TypeError);
          await assert.rejects(manager.create({ subject, data: { note: text } }), TypeError);
          await assert.rejects(manager.create({ subject, data: { [text]: 1 } }), TypeError);
          await assert.rejects(manager.create({ subject, data: { deep: [{ x: text }] } }), TypeError);
          await assert.rejects(manager.update(session.id, { set: { note: text } }), TypeError);
          await assert.rejects(manager.update(session.id, { set: { [text]: 1 } }), TypeError);
          await assert.rejects(manager.update(session.id, { unset: [text] }), TypeError);
          assert.equal(totalCalls(), before, 'no store call for any of them');
          const sessions = await manager.list(subject);
          assert.equal(sessions.length, 1, 'nothing was created');
          assert.deepEqual(sessions[0]?.data, { keep: 1 });
          assert.equal(sessions[0]?.version, 1, 'nothing was patched');
        });
      });
    }

    it('keeps well-formed text exactly, astral characters and all', async () => {
      await withManager({}, async ({ manager }) => {
        const subject = `${newSubject()}-😀-ü`;
        const { session, token } = await manager.create({
          subject,
          userAgent: 'Browser 😀',
          data: { 'k😀': 'v\u{1F600}' },
        });
        const check = await manager.validate(token);
        assert.ok(check.ok);
        if (!check.ok) return;
        assert.equal(check.session.subject, subject);
        assert.equal(check.session.userAgent, 'Browser 😀');
        assert.deepEqual(check.session.data, { 'k😀': 'v😀' });
        assert.equal(await manager.revokeSubject(subject), 1);
        assert.equal(await manager.get(session.id), null);
      });
    });

    it('cuts an over-long user agent without splitting a surrogate pair', async () => {
      await withManager({}, async ({ manager }) => {
        const userAgent = `${'a'.repeat(1023)}😀`;
        const { session } = await manager.create({ subject: newSubject(), userAgent });
        assert.equal(session.userAgent, 'a'.repeat(1023));
      });
    });

    it('refuses a token-shaped subject at creation', async () => {
      await withManager({}, async ({ manager, totalCalls }) => {
        const before = totalCalls();
        await assert.rejects(manager.create({ subject: `ts1.${'A'.repeat(26)}` }), TypeError);
        await assert.rejects(
          manager.create({ subject: `user ts1.${'B'.repeat(26)}.${'C'.repeat(43)}` }),
          TypeError,
        );
        assert.equal(totalCalls(), before);
      });
    });

    it('refuses control characters in a subject (they name reserved cut-off scopes and break log lines)', async () => {
      await withManager({}, async ({ manager, totalCalls }) => {
        const before = totalCalls();
        for (const subject of [EVERYONE_SCOPE, sessionScope('x'), 'alice\nadmin', 'tab\there', 'del\u007f']) {
          await assert.rejects(manager.create({ subject }), /control characters/);
          await assert.rejects(manager.revokeSubject(subject), /control characters/);
        }
        assert.equal(totalCalls(), before, 'no store call');
      });
    });

    it(`refuses a data version above ${MAX_VERSION} as malformed, before the store`, async () => {
      await withManager({}, async ({ manager, totalCalls }) => {
        const { session } = await manager.create({ subject: newSubject() });
        const before = totalCalls();
        await assert.rejects(
          manager.update(session.id, { set: { a: 1 } }, { version: MAX_VERSION + 1 }),
          TypeError,
        );
        await assert.rejects(
          manager.update(session.id, { set: { a: 1 } }, { version: 2 ** 53 - 1 }),
          TypeError,
        );
        assert.equal(totalCalls(), before);
        const current = await manager.update(session.id, { set: { a: 1 } }, { version: MAX_VERSION });
        assert.deepEqual(current, { ok: false, code: 'version_conflict', version: 1 });
      });
    });
  });
}
