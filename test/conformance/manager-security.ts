import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { isTesseraError, SessionLimitError, StoreUnavailableError } from '../../src/core/errors.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { EVERYONE_SCOPE } from '../../src/core/cutoffs.js';
import { createTessera } from '../../src/core/manager.js';
import { cryptoRandom } from '../../src/core/random.js';
import type { SessionRecord } from '../../src/core/session.js';
import { formatToken, hashSecret, newSecret, newSessionId, parseToken } from '../../src/core/token.js';
import type { SessionStore } from '../../src/core/store.js';
import { newSubject, T0 } from './fixtures.js';
import { instrument, type WithManager } from './manager-setup.js';

const MINUTE = 60_000;

/** Tokens that must be refused without a single store call. */
function malformedTokens(valid: string): string[] {
  const [prefix, id, secret] = valid.split('.') as [string, string, string];
  return [
    'x',
    'garbage',
    `${valid}A`,
    valid.slice(0, -1),
    `ts2.${id}.${secret}`,
    `TS1.${id}.${secret}`,
    `${prefix}.${id}.${secret.slice(0, -1)}+`,
    `${prefix}.${id.slice(0, -1)}=.${secret}`,
    `${prefix}:${id}.${secret}`,
    `${prefix}.${id}${secret}.`,
    ` ${valid}`,
    `${valid}\n`,
    `${prefix}.${id}.${secret.slice(0, -1)}é`,
    'ts1..',
    'a'.repeat(100_000),
  ];
}

export function registerSecurityScenarios(withManager: WithManager, open: () => Promise<SessionStore>): void {
  describe('fixation and replay', () => {
    it('a client-chosen well-formed token is refused, reported in strict mode, and never adopted', async () => {
      await withManager({}, async ({ manager, store, events }) => {
        const chosenId = newSessionId(cryptoRandom);
        const chosen = formatToken(chosenId, newSecret(cryptoRandom));
        const result = await manager.validate(chosen);
        assert.deepEqual(result, { ok: false, code: 'token_invalid', status: 401, reason: 'unknown' });
        assert.ok(events.some((e) => e.type === 'unknown-token' && e.sessionId === chosenId));
        // Logging in afterwards issues a fresh session: the chosen id and token stay unknown.
        const issued = await manager.create({ subject: newSubject() });
        assert.notEqual(issued.session.id, chosenId);
        assert.notEqual(issued.token, chosen);
        assert.equal(await store.get(chosenId), null);
        assert.equal((await manager.validate(chosen)).ok, false);
        assert.equal((await manager.rotate(chosen)).ok, false);
        assert.equal(await manager.revoke(chosen), false);
        assert.equal(await store.get(chosenId), null);
      });
    });

    it('a forged secret for a real session id is refused and reported; the session is untouched', async () => {
      await withManager({}, async ({ manager, store, events }) => {
        const { token, session } = await manager.create({ subject: newSubject() });
        const before = await store.get(session.id);
        const forged = formatToken(session.id, newSecret(cryptoRandom));
        const result = await manager.validate(forged);
        assert.equal(!result.ok && result.code, 'token_invalid');
        assert.ok(events.some((e) => e.type === 'unknown-token' && e.reason === 'secret_mismatch'));
        assert.equal((await manager.rotate(forged)).ok, false);
        assert.equal(await manager.revoke(forged), false);
        assert.deepEqual(await store.get(session.id), before);
        assert.equal((await manager.validate(token)).ok, true);
      });
    });

    it('strict mode off: an unknown token is still refused, without an unknown-token event', async () => {
      await withManager({ strict: false }, async ({ manager, events }) => {
        const chosen = formatToken(newSessionId(cryptoRandom), newSecret(cryptoRandom));
        assert.equal((await manager.validate(chosen)).ok, false);
        assert.equal(events.filter((e) => e.type === 'unknown-token').length, 0);
      });
    });

    it('logout replay: a revoked token gets 401 token_invalid forever, also after rotation', async () => {
      await withManager({ rotationGrace: 30 }, async ({ manager, clock }) => {
        const first = await manager.create({ subject: newSubject() });
        assert.equal(await manager.revoke(first.token), true);
        assert.equal(await manager.revoke(first.token), false);
        for (let i = 0; i < 3; i++) {
          const result = await manager.validate(first.token);
          assert.deepEqual(
            { ok: result.ok, code: !result.ok && result.code, status: !result.ok && result.status },
            { ok: false, code: 'token_invalid', status: 401 },
          );
          clock.advance(20 * MINUTE);
        }
        // Rotated, then logged out with the new token: neither token nor the grace brings it back.
        const second = await manager.create({ subject: newSubject() });
        const rotated = await manager.rotate(second.token);
        assert.ok(rotated.ok);
        if (!rotated.ok) return;
        assert.equal(await manager.revoke(rotated.token), true);
        for (const token of [second.token, rotated.token]) {
          const result = await manager.validate(token);
          assert.equal(!result.ok && result.code, 'token_invalid');
          assert.equal((await manager.rotate(token)).ok, false);
          assert.equal((await manager.update(second.session.id, { set: { x: 1 } })).ok, false);
        }
        assert.equal(await manager.get(second.session.id), null);
      });
    });

    it('a token replaced by rotation can log out only inside the grace window', async () => {
      await withManager({ rotationGrace: 10 }, async ({ manager, clock }) => {
        const first = await manager.create({ subject: newSubject() });
        const rotated = await manager.rotate(first.token);
        assert.ok(rotated.ok);
        clock.advance(11_000);
        // Past the grace the old token is dead: it must not be able to end the session either.
        assert.equal(await manager.revoke(first.token), false);
        if (rotated.ok) assert.equal((await manager.validate(rotated.token)).ok, true);
        const second = await manager.create({ subject: newSubject() });
        const again = await manager.rotate(second.token);
        assert.ok(again.ok);
        clock.advance(5_000);
        assert.equal(await manager.revoke(second.token), true);
        if (again.ok) assert.equal((await manager.validate(again.token)).ok, false);
      });
    });

    it('revokeSubject ends every session of a subject except the one named; others untouched', async () => {
      await withManager({}, async ({ manager, events }) => {
        const subject = newSubject();
        const sessions = await Promise.all([1, 2, 3].map(() => manager.create({ subject })));
        const other = await manager.create({ subject: `${subject}-other` });
        const keep = sessions[1];
        assert.ok(keep);
        assert.equal(await manager.revokeSubject(subject, { except: keep.session.id }), 2);
        for (const s of sessions) {
          assert.equal((await manager.validate(s.token)).ok, s === keep);
        }
        assert.equal((await manager.validate(other.token)).ok, true);
        assert.equal(events.filter((e) => e.type === 'revoked' && e.reason === 'revoke-others').length, 2);
        assert.equal(await manager.revokeSubject(subject), 1);
        assert.equal((await manager.validate(keep.token)).ok, false);
        assert.equal(await manager.revokeById(other.session.id), true);
        assert.equal((await manager.validate(other.token)).ok, false);
      });
    });

    it('endOtherSessions needs a fresh level when endOthersRequires is set: refused (nothing ended) until elevate', async () => {
      const requires = { level: 2, maxAge: 300 };
      await withManager({ endOthersRequires: requires }, async ({ manager, clock, events, calls }) => {
        const subject = newSubject();
        const current = await manager.create({ subject });
        const others = await Promise.all([1, 2].map(() => manager.create({ subject })));
        const refused = { ok: false, code: 'insufficient_level', status: 403 };
        // A fresh login is not enough (level 1): someone holding a stolen session must re-enter the password.
        assert.deepEqual(await manager.endOtherSessions(current.session), refused);
        assert.equal(calls.get('deleteBySubject') ?? 0, 0, 'refused before any store call');
        for (const s of others) assert.equal((await manager.validate(s.token)).ok, true);
        assert.equal(events.filter((e) => e.type === 'revoked').length, 0);

        const elevated = await manager.elevate(current.token, 2);
        assert.ok(elevated.ok);
        clock.advance(301_000);
        const stale = await manager.validate(elevated.token);
        assert.ok(stale.ok);
        if (!stale.ok) return;
        assert.deepEqual(await manager.endOtherSessions(stale.session), refused, 'the level went stale');
        for (const s of others) assert.equal((await manager.validate(s.token)).ok, true);

        const fresh = await manager.elevate(elevated.token, 2);
        assert.ok(fresh.ok);
        if (!fresh.ok) return;
        assert.deepEqual(await manager.endOtherSessions(fresh.session), { ok: true, ended: 2 });
        for (const s of others) assert.equal((await manager.validate(s.token)).ok, false);
        assert.equal((await manager.validate(fresh.token)).ok, true, 'the current session stays');
        assert.equal(events.filter((e) => e.type === 'revoked' && e.reason === 'revoke-others').length, 2);
      });
    });

    it('endOtherSessions without endOthersRequires ends the others at once, with the given reason', async () => {
      await withManager({}, async ({ manager, events }) => {
        const subject = newSubject();
        const current = await manager.create({ subject });
        const other = await manager.create({ subject });
        const stranger = await manager.create({ subject: `${subject}-other` });
        const result = await manager.endOtherSessions(current.session, { reason: 'user' });
        assert.deepEqual(result, { ok: true, ended: 1 });
        assert.equal((await manager.validate(other.token)).ok, false);
        assert.equal((await manager.validate(current.token)).ok, true);
        assert.equal((await manager.validate(stranger.token)).ok, true);
        assert.deepEqual(
          events.filter((e) => e.type === 'revoked').map((e) => [e.sessionId, e.reason]),
          [[other.session.id, 'user']],
        );
      });
    });
  });

  describe('end every session of every user', () => {
    it('endEverySession: every token of every subject gets 401 token_invalid; new logins work; one event', async () => {
      await withManager({ rotationGrace: 30 }, async ({ manager, store, clock, events }) => {
        const subjects = [newSubject('a'), newSubject('b'), newSubject('c')];
        const issued = [];
        for (const subject of subjects) {
          issued.push(await manager.create({ subject }), await manager.create({ subject }));
        }
        const first = issued[0];
        assert.ok(first);
        const rotated = await manager.rotate(first.token);
        assert.ok(rotated.ok);
        const tokens = [...issued.map((i) => i.token), rotated.token];
        for (const token of tokens) assert.equal((await manager.validate(token)).ok, true);
        clock.advance(1000);
        const at = clock();

        assert.equal(await manager.endEverySession({ reason: 'key-leak' }), issued.length);
        for (const token of tokens) {
          const result = await manager.validate(token);
          assert.deepEqual(
            { ok: result.ok, code: !result.ok && result.code, status: !result.ok && result.status },
            { ok: false, code: 'token_invalid', status: 401 },
          );
          assert.equal((await manager.rotate(token)).ok, false);
        }
        for (const subject of subjects) assert.deepEqual(await manager.list(subject), []);
        // The store-wide cut-off that sealed sessions and strict access tokens check: after every earlier issue.
        assert.equal(await store.getSubjectNotBefore(EVERYONE_SCOPE), at + 1);
        const everyone = events.filter((e) => e.type === 'revoked-everyone');
        assert.deepEqual(everyone, [
          {
            type: 'revoked-everyone',
            at,
            sessionId: null,
            subject: null,
            reason: 'key-leak',
            detail: { ended: issued.length },
          },
        ]);

        clock.advance(1000);
        const again = await manager.create({ subject: subjects[0] as string });
        assert.equal((await manager.validate(again.token)).ok, true, 'a login afterwards works');
        assert.equal((await manager.list(subjects[0] as string)).length, 1);
        assert.equal(await manager.endEverySession(), 1);
        assert.equal(events.at(-1)?.reason, 'end-every-session');
        assert.equal((await manager.validate(again.token)).ok, false);
      });
    });

    it('endEverySession sets the cut-off before it removes anything, and refuses a bad reason first', async () => {
      const real = await open();
      const seen: (number | null)[] = [];
      const store = new Proxy(real, {
        get(target, property, receiver) {
          if (property === 'deleteAllSessions') {
            return async () => {
              seen.push(await target.getSubjectNotBefore(EVERYONE_SCOPE));
              return target.deleteAllSessions();
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const manager = createTessera({ store, clock: manualClock(T0) });
      try {
        const { token } = await manager.create({ subject: newSubject() });
        for (const reason of ['', 'line\nbreak', 7, '\u0000']) {
          await assert.rejects(manager.endEverySession({ reason: reason as string }), TypeError);
        }
        assert.deepEqual(seen, []);
        assert.equal((await manager.validate(token)).ok, true, 'a refused call ends nothing');
        assert.equal(await real.getSubjectNotBefore(EVERYONE_SCOPE), null);
        assert.equal(await manager.endEverySession({ reason: 'x'.repeat(100) }), 1);
        assert.deepEqual(seen, [T0 + 1]);
      } finally {
        await real.close();
      }
    });
  });

  describe('caps and bindings', () => {
    it('cap with refuse: the extra login fails with SessionLimitError and an event', async () => {
      await withManager({ maxSessionsPerSubject: 2, overflow: 'refuse' }, async ({ manager, events }) => {
        const subject = newSubject();
        await manager.create({ subject });
        await manager.create({ subject });
        await assert.rejects(manager.create({ subject }), SessionLimitError);
        assert.ok(events.some((e) => e.type === 'session-limit' && e.subject === subject));
        assert.equal((await manager.list(subject)).length, 2);
      });
    });

    it('cap with evict-oldest: the oldest session ends, with a revoked/evicted event', async () => {
      await withManager(
        { maxSessionsPerSubject: 2, overflow: 'evict-oldest' },
        async ({ manager, clock, events }) => {
          const subject = newSubject();
          const oldest = await manager.create({ subject });
          clock.advance(1000);
          const middle = await manager.create({ subject });
          clock.advance(1000);
          const newest = await manager.create({ subject });
          assert.equal((await manager.validate(oldest.token)).ok, false);
          assert.equal((await manager.validate(middle.token)).ok, true);
          assert.equal((await manager.validate(newest.token)).ok, true);
          assert.ok(
            events.some(
              (e) => e.type === 'revoked' && e.reason === 'evicted' && e.sessionId === oldest.session.id,
            ),
          );
        },
      );
    });

    it('cap under concurrency: 20 parallel logins with a cap of 5 leave 5 sessions', async () => {
      await withManager({ maxSessionsPerSubject: 5, overflow: 'refuse' }, async ({ manager }) => {
        const subject = newSubject();
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => manager.create({ subject })),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
        for (const r of results)
          if (r.status === 'rejected') assert.ok(r.reason instanceof SessionLimitError);
        assert.equal((await manager.list(subject)).length, 5);
      });
    });

    it('IP binding exact: another address is refused with binding_ip and an event', async () => {
      await withManager({ binding: { ip: 'exact' } }, async ({ manager, events }) => {
        const { token } = await manager.create({ subject: newSubject(), ip: '203.0.113.5' });
        assert.equal((await manager.validate(token, { ip: '203.0.113.5' })).ok, true);
        assert.equal((await manager.validate(token, { ip: '::ffff:203.0.113.5' })).ok, true);
        const other = await manager.validate(token, { ip: '203.0.113.6' });
        assert.deepEqual(other, { ok: false, code: 'token_invalid', status: 401, reason: 'binding_ip' });
        assert.equal((await manager.validate(token, {})).ok, false);
        assert.ok(events.some((e) => e.type === 'binding-mismatch'));
      });
    });

    it('IP binding prefix: the same /24 (IPv4) or /64 (IPv6) passes, another network does not', async () => {
      await withManager({ binding: { ip: 'prefix' } }, async ({ manager }) => {
        const v4 = await manager.create({ subject: newSubject(), ip: '203.0.113.5' });
        assert.equal((await manager.validate(v4.token, { ip: '203.0.113.200' })).ok, true);
        assert.equal((await manager.validate(v4.token, { ip: '203.0.114.5' })).ok, false);
        const v6 = await manager.create({ subject: newSubject(), ip: '2001:db8:1:2::5' });
        assert.equal((await manager.validate(v6.token, { ip: '2001:db8:1:2:ffff::1' })).ok, true);
        assert.equal((await manager.validate(v6.token, { ip: '2001:db8:1:3::5' })).ok, false);
      });
    });

    it('user-agent binding: a different user agent is refused with binding_user_agent', async () => {
      await withManager({ binding: { userAgent: true } }, async ({ manager }) => {
        const { token } = await manager.create({ subject: newSubject(), userAgent: 'UA/1' });
        assert.equal((await manager.validate(token, { userAgent: 'UA/1' })).ok, true);
        const other = await manager.validate(token, { userAgent: 'UA/2' });
        assert.equal(!other.ok && other.code === 'token_invalid' && other.reason, 'binding_user_agent');
      });
    });
  });

  describe('input and faults', () => {
    it('malformed tokens are rejected before any store access', async () => {
      await withManager({}, async ({ manager, totalCalls }) => {
        const { token } = await manager.create({ subject: newSubject() });
        const before = totalCalls();
        for (const bad of malformedTokens(token)) {
          assert.equal(parseToken(bad), null, bad.slice(0, 80));
          const result = await manager.validate(bad);
          assert.deepEqual(result, { ok: false, code: 'token_invalid', status: 401, reason: 'malformed' });
          assert.equal((await manager.rotate(bad)).ok, false);
          assert.equal((await manager.elevate(bad, 2)).ok, false);
          assert.equal(await manager.revoke(bad), false);
        }
        for (const missing of ['', null, undefined]) {
          assert.equal((await manager.validate(missing)).ok, false);
        }
        assert.equal(await manager.get('not an id'), null);
        assert.equal(await manager.revokeById('not an id'), false);
        assert.equal(totalCalls(), before, 'no store call for a malformed token');
      });
    });

    it('store faults surface as StoreUnavailableError (503), never as a valid or invalid session', async () => {
      const real = await open();
      let failing = false;
      const store = instrument(real, new Map(), () => failing);
      const manager = createTessera({ store, clock: manualClock(T0) });
      try {
        const subject = newSubject();
        const { token, session } = await manager.create({ subject });
        failing = true;
        const checks: [string, () => Promise<unknown>][] = [
          ['validate', () => manager.validate(token)],
          ['create', () => manager.create({ subject })],
          ['rotate', () => manager.rotate(token)],
          ['revoke', () => manager.revoke(token)],
          ['revokeById', () => manager.revokeById(session.id)],
          ['revokeSubject', () => manager.revokeSubject(subject)],
          ['list', () => manager.list(subject)],
          ['get', () => manager.get(session.id)],
          ['update', () => manager.update(session.id, { set: { a: 1 } })],
          ['sweepExpired', () => manager.sweepExpired()],
          ['endEverySession', () => manager.endEverySession()],
        ];
        for (const [name, run] of checks) {
          await assert.rejects(run(), (error: unknown) => {
            assert.ok(error instanceof StoreUnavailableError, `${name}: ${String(error)}`);
            assert.ok(isTesseraError(error));
            assert.equal(error.code, 'store_unavailable');
            assert.equal(error.status, 503);
            assert.ok(!error.message.includes(token));
            return true;
          });
        }
        failing = false;
        assert.equal((await manager.validate(token)).ok, true);
      } finally {
        await real.close();
      }
    });

    it('events never carry a token, a secret or a secret hash', async () => {
      await withManager(
        { maxSessionsPerSubject: 2, binding: { ip: 'exact' }, idleTimeout: 600, rotationGrace: 5 },
        async ({ manager, clock, events, store }) => {
          const subject = newSubject();
          const secrets: string[] = [];
          const remember = async (token: string): Promise<void> => {
            const parsed = parseToken(token);
            assert.ok(parsed);
            secrets.push(token, parsed.secret, hashSecret(parsed.secret));
            const record = (await store.get(parsed.sessionId)) as SessionRecord | null;
            if (record) secrets.push(record.secretHash);
          };
          const a = await manager.create({ subject, ip: '198.51.100.1' });
          await remember(a.token);
          clock.advance(2 * MINUTE);
          await manager.validate(a.token, { ip: '198.51.100.1' });
          await manager.validate(a.token, { ip: '198.51.100.2' });
          const rotated = await manager.rotate(a.token, { ip: '198.51.100.1' });
          if (rotated.ok) await remember(rotated.token);
          const elevated = rotated.ok
            ? await manager.elevate(rotated.token, 2, { ip: '198.51.100.1' })
            : rotated;
          if (elevated.ok) await remember(elevated.token);
          await manager.update(a.session.id, { set: { k: 'v' } });
          const b = await manager.create({ subject, ip: '198.51.100.1' });
          await remember(b.token);
          const c = await manager.create({ subject, ip: '198.51.100.1' });
          await remember(c.token);
          await manager.validate(formatToken(b.session.id, newSecret(cryptoRandom)));
          await manager.validate(formatToken(newSessionId(cryptoRandom), newSecret(cryptoRandom)));
          clock.advance(20 * MINUTE);
          await manager.validate(b.token, { ip: '198.51.100.1' });
          await manager.revoke(c.token);
          await manager.revokeSubject(subject);
          const types = new Set(events.map((e: TesseraEvent) => e.type));
          for (const type of ['created', 'rotated', 'elevated', 'revoked', 'expired', 'unknown-token']) {
            assert.ok(types.has(type as TesseraEvent['type']), `saw a ${type} event`);
          }
          assert.ok(types.has('binding-mismatch'));
          const text = JSON.stringify(events);
          for (const secret of secrets) assert.ok(!text.includes(secret), 'an event carries secret material');
        },
      );
    });
  });
}
