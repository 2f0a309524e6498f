import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SessionRecord } from '../../src/core/session.js';
import { decodeSession, encodeSession } from '../../src/stores/redis/codec.js';
import { SCALE_PAYLOAD } from '../../bench/scale/payload.js';

const T0 = Date.UTC(2026, 11, 1);
const HASH = 'HyBUGRdroKA2Eb0KhGTxZvict-6krrqApLD6RIFNdRA';

function login(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 'dTuQZB4jUFfohG-RjmOAbMEVsg',
    subject: 'user-101420@example.com',
    secretHash: HASH,
    previousSecretHash: null,
    previousSecretValidUntil: null,
    data: SCALE_PAYLOAD,
    version: 1,
    level: 1,
    levelAt: T0,
    createdAt: T0,
    lastSeenAt: T0,
    rotatedAt: null,
    idleExpiresAt: T0 + 30 * 60_000,
    absoluteExpiresAt: T0 + 12 * 3_600_000,
    ip: null,
    userAgent: null,
    ...overrides,
  };
}

const time = fc.integer({ min: 0, max: 2 ** 44 });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const hash = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe('Redis session value, format 2', () => {
  it('round-trips every record: times before and after creation, nulls, free text with separators', () => {
    fc.assert(
      fc.property(
        fc.record({
          subject: text,
          secretHash: hash,
          previousSecretHash: fc.option(hash),
          previousSecretValidUntil: fc.option(time),
          version: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          level: fc.integer({ min: 0, max: 10 }),
          levelAt: fc.option(time),
          createdAt: time,
          lastSeenAt: time,
          rotatedAt: fc.option(time),
          idleExpiresAt: time,
          absoluteExpiresAt: time,
          ip: fc.option(fc.constantFrom('203.0.113.9', '2001:db8::1', 'a,b\nc')),
          userAgent: fc.option(fc.constantFrom('Mozilla/5.0 (X11; Linux) "q"', 'x\n,y', '')),
          data: fc.jsonValue().map((value) => ({ value })),
        }),
        (fields) => {
          const record = { id: 'dTuQZB4jUFfohG-RjmOAbMEVsg', ...fields } as SessionRecord;
          assert.deepEqual(
            decodeSession(record.id, encodeSession(record)),
            JSON.parse(JSON.stringify(record)),
          );
        },
      ),
    );
  });

  it('keeps a login with the 188-byte payload under 300 bytes (format 1 took 379)', () => {
    const value = encodeSession(login());
    assert.ok(value.length <= 300, `${value.length} bytes`);
    assert.deepEqual(decodeSession('dTuQZB4jUFfohG-RjmOAbMEVsg', value), login());
  });

  it('keeps times to the whole millisecond', () => {
    const record = login({ lastSeenAt: T0 + 10.4, idleExpiresAt: T0 + 1000.6 });
    const back = decodeSession(record.id, encodeSession(record));
    assert.equal(back?.lastSeenAt, T0 + 10);
    assert.equal(back?.idleExpiresAt, T0 + 1001);
  });

  it('refuses a hash it could not store unchanged, and reads no other format', () => {
    for (const secretHash of ['', 'a,b', 'a\nb']) {
      assert.throws(() => encodeSession(login({ secretHash })), TypeError);
      assert.throws(() => encodeSession(login({ previousSecretHash: secretHash })), TypeError);
    }
    const v1 = '["1","s","h",null,null,"1","1",null,"1","1",null,"2","3",null,null]\n{}';
    assert.throws(() => decodeSession('x', `${v1}\n`), /unknown Redis session format/);
    assert.equal(decodeSession('x', null), null);
  });
});
