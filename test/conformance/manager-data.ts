import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSubject } from './fixtures.js';
import type { WithManager } from './manager-setup.js';

export function registerDataScenarios(withManager: WithManager): void {
  describe('data and metadata', () => {
    it('50 concurrent patches of different keys: no lost update', async () => {
      await withManager({}, async ({ manager }) => {
        const { token, session } = await manager.create({ subject: newSubject(), data: { start: 0 } });
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => manager.update(session.id, { set: { [`key${i}`]: i } })),
        );
        assert.ok(results.every((r) => r.ok));
        const check = await manager.validate(token);
        assert.ok(check.ok);
        if (!check.ok) return;
        assert.equal(check.session.version, 51);
        assert.equal(Object.keys(check.session.data).length, 51);
        for (let i = 0; i < 50; i++) assert.equal(check.session.data[`key${i}`], i);
      });
    });

    it('a stale version gets version_conflict with the current version, never an overwrite', async () => {
      await withManager({}, async ({ manager, events }) => {
        const { session } = await manager.create({ subject: newSubject(), data: { step: 1 } });
        const first = await manager.update(session.id, { set: { step: 2 } }, { version: 1 });
        assert.ok(first.ok);
        const stale = await manager.update(session.id, { set: { step: 99 } }, { version: 1 });
        assert.deepEqual(stale, { ok: false, code: 'version_conflict', version: 2 });
        const unset = await manager.update(session.id, { unset: ['step'] }, { version: 2 });
        assert.ok(unset.ok);
        assert.deepEqual((await manager.get(session.id))?.data, {});
        assert.equal(events.filter((e) => e.type === 'data-updated').length, 2);
      });
    });

    it('bad patches are caller errors (TypeError); unknown ids are not_found', async () => {
      await withManager({ maxDataBytes: 1024 }, async ({ manager }) => {
        const { session } = await manager.create({ subject: newSubject() });
        await assert.rejects(manager.update(session.id, { set: { a: 1 }, unset: ['a'] }), TypeError);
        await assert.rejects(manager.update(session.id, { set: { big: 'x'.repeat(2000) } }), TypeError);
        await assert.rejects(manager.update(session.id, { set: { f: Number.NaN } }), TypeError);
        assert.deepEqual(await manager.update('AAAAAAAAAAAAAAAAAAAAAAAAAA', { set: { a: 1 } }), {
          ok: false,
          code: 'not_found',
        });
        assert.deepEqual(await manager.update('nope', { set: { a: 1 } }), { ok: false, code: 'not_found' });
      });
    });

    it('many small patches cannot grow data past maxDataBytes: data_too_large, nothing written', async () => {
      await withManager({ maxDataBytes: 1024 }, async ({ manager, events }) => {
        const { session } = await manager.create({ subject: newSubject(), data: { start: 0 } });
        const results = [];
        // Each patch is ~210 bytes, far under the limit alone; four fit, the fifth would pass 1024 bytes.
        for (let i = 0; i < 8; i++) {
          results.push(await manager.update(session.id, { set: { [`k${i}`]: 'v'.repeat(200) } }));
        }
        assert.deepEqual(
          results.map((r) => (r.ok ? 'ok' : r.code)),
          ['ok', 'ok', 'ok', 'ok', 'data_too_large', 'data_too_large', 'data_too_large', 'data_too_large'],
        );
        const refused = results[4];
        assert.ok(refused !== undefined && !refused.ok && refused.code === 'data_too_large');
        if (refused.code === 'data_too_large') assert.ok(refused.bytes > 1024, `bytes ${refused.bytes}`);
        const stored = await manager.get(session.id);
        assert.equal(stored?.version, 5);
        assert.deepEqual(Object.keys(stored?.data ?? {}).sort(), ['k0', 'k1', 'k2', 'k3', 'start']);
        assert.equal(events.filter((e) => e.type === 'data-updated').length, 4, 'no event for a refusal');
        // Making room first lets the next patch in.
        const swap = await manager.update(session.id, { set: { k4: 'v'.repeat(200) }, unset: ['k0'] });
        assert.ok(swap.ok);
      });
    });

    it('list shows live sessions oldest first with created, last seen, ip, user agent and level; no hashes', async () => {
      await withManager({ idleTimeout: 1800, renewalFraction: 0.1 }, async ({ manager, clock }) => {
        const subject = newSubject();
        const t0 = clock();
        const first = await manager.create({ subject, ip: '192.0.2.1', userAgent: 'Firefox/130', level: 2 });
        clock.advance(60_000);
        await manager.create({ subject, ip: '2001:db8::9', userAgent: 'curl/8' });
        clock.advance(5 * 60_000);
        await manager.validate(first.token);
        const list = await manager.list(subject);
        assert.equal(list.length, 2);
        const [a, b] = list;
        assert.equal(a?.id, first.session.id);
        assert.deepEqual(
          {
            createdAt: a?.createdAt,
            lastSeenAt: a?.lastSeenAt,
            ip: a?.ip,
            userAgent: a?.userAgent,
            level: a?.level,
          },
          { createdAt: t0, lastSeenAt: t0 + 6 * 60_000, ip: '192.0.2.1', userAgent: 'Firefox/130', level: 2 },
        );
        assert.equal(b?.createdAt, t0 + 60_000);
        assert.equal(b?.level, 1);
        for (const s of list) {
          assert.ok(!('secretHash' in s) && !('previousSecretHash' in s), 'list shows metadata only');
        }
        clock.advance(30 * 60_000);
        assert.deepEqual(await manager.list(subject), [], 'expired sessions are not listed');
      });
    });
  });
}
