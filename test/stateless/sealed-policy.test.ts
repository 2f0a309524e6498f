import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { SubjectCutoffs } from '../../src/core/store.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { resolveSealedOptions } from '../../src/stateless/sealed/options.js';
import { sealToCookies } from '../../src/stateless/sealed/writer.js';
import type { Authentication } from '../../src/transport/authenticator.js';
import { applySetCookies, cookieHeader, facts, noise, SECRET_A, SECRET_B } from './helpers.js';

const cookie = { name: 'sid', development: true } as const;
const OLD = { id: 'k1', secret: SECRET_A };
const NEW = { id: 'k2', secret: SECRET_B };
const SECOND = 1000;
const YEAR = 365 * 24 * 3600 * SECOND;
/** The policy of the server under test: 60 s idle, 600 s absolute. */
const IDLE = 60 * SECOND;
const ABSOLUTE = 600 * SECOND;

/** A session as `login` would write it at `now` under the server's policy; `changes` put it out of policy. */
function session(now: number, changes: Partial<Session<SessionData>> = {}): Session<SessionData> {
  return {
    id: 'forged-session-id-0123456789',
    subject: 'admin',
    data: {},
    version: 1,
    level: 9,
    levelAt: now,
    createdAt: now,
    lastSeenAt: now,
    rotatedAt: null,
    idleExpiresAt: now + IDLE,
    absoluteExpiresAt: now + ABSOLUTE,
    ip: null,
    userAgent: null,
    ...changes,
  };
}

/**
 * Seals `forged` with the (leaked) old key through the module's own writer, under options whose timeouts are
 * far longer than the server's, so nothing in the writer clamps what the seal claims.
 */
function mint(forged: Session<SessionData>, now: number): Map<string, string> {
  const options = resolveSealedOptions({
    keys: [OLD],
    cookie,
    idleTimeout: 10 * 365 * 24 * 3600,
    absoluteTimeout: 10 * 365 * 24 * 3600,
  });
  return applySetCookies(sealToCookies(options, forged, [], now));
}

/** The server mid-rotation: the new key seals, the old one still opens. */
function rotating(clock: ManualClock, events: TesseraEvent[] = [], cacheSize = 8) {
  return new SealedSessions({
    keys: [NEW, OLD],
    cookie,
    clock,
    idleTimeout: IDLE / SECOND,
    absoluteTimeout: ABSOLUTE / SECOND,
    cacheSize,
    onEvent: (event) => events.push(event),
  });
}

/** Counts AES-GCM opens: every open looks its key up in the ring; a cache hit or an early refusal does not. */
function countOpens(sealed: SealedSessions): { readonly count: number } {
  const ring = sealed.options.ring;
  const get = ring.get.bind(ring);
  const counter = { count: 0 };
  ring.get = (id: string) => {
    counter.count += 1;
    return get(id);
  };
  return counter;
}

/** Every `Set-Cookie` line only clears a cookie: nothing was (re-)sealed. */
function onlyClears(auth: { readonly setCookies: readonly string[] }): boolean {
  return auth.setCookies.every((line) => /;\s*Max-Age=0(;|$)/i.test(line));
}

function code(auth: Authentication<SessionData>): string {
  return auth.result.ok ? 'ok' : auth.result.code;
}

describe('sealed sessions refuse seals that claim more than the configured lifetimes', () => {
  it('refuses a 10-year admin seal under a leaked old key mid-rotation: 401, no re-seal, no cache entry', async () => {
    const clock = manualClock();
    const events: TesseraEvent[] = [];
    const sealed = rotating(clock, events);
    const opens = countOpens(sealed);
    const now = clock();
    const jar = mint(
      session(now, { idleExpiresAt: now + 10 * YEAR, absoluteExpiresAt: now + 10 * YEAR }),
      now,
    );
    for (let round = 1; round <= 2; round += 1) {
      const auth = await sealed.authenticate(facts(cookieHeader(jar)));
      assert.equal(code(auth), 'token_invalid', `round ${round}`);
      assert.equal(auth.result.ok === false && auth.result.status, 401);
      assert.ok(onlyClears(auth), `no re-seal under the new key: ${auth.setCookies.join(' | ')}`);
      assert.equal(applySetCookies(auth.setCookies, new Map(jar)).size, 0, 'the cookie is cleared');
      // Not cached: the second presentation is opened (and refused) again.
      assert.equal(opens.count, round, 'opened afresh each time');
    }
    assert.deepEqual(
      events.map((event) => event.type),
      ['unknown-token', 'unknown-token'],
    );
    assert.ok(!events.some((event) => event.subject === 'admin'), 'no session event for the forged seal');
    assert.equal(events[0]?.reason, 'malformed');
    assert.equal(events[0]?.detail?.lifetime, 'absolute-lifetime', 'the event names the check');

    // Nor does any other way of re-sealing it work.
    const request = facts(cookieHeader(jar));
    for (const change of [
      await sealed.rotate(request),
      await sealed.elevate(request, 9),
      await sealed.update(request, { set: { role: 'admin' } }),
    ]) {
      assert.equal(change.ok ? 'ok' : change.code, 'token_invalid');
      assert.ok(onlyClears(change), 'no seal written');
    }
    assert.equal((await sealed.logout(request)).revoked, false);

    // Once the old key is gone, the forged seal opens nowhere (it was never re-sealed under the new one).
    const after = new SealedSessions({ keys: [NEW], cookie, clock, idleTimeout: 60, absoluteTimeout: 600 });
    assert.equal(code(await after.authenticate(facts(cookieHeader(jar)))), 'token_invalid');
  });

  it('refuses each out-of-policy lifetime, one at a time, and accepts the in-policy seal', async () => {
    const clock = manualClock();
    const now = clock();
    const cases: Array<[string, Partial<Session<SessionData>>]> = [
      ['absolute lifetime 1 ms too long', { absoluteExpiresAt: now + ABSOLUTE + 1 }],
      [
        'absolute lifetime too long, created in the past',
        {
          createdAt: now - 1000,
          levelAt: now - 1000,
          lastSeenAt: now - 1000,
          absoluteExpiresAt: now + ABSOLUTE,
        },
      ],
      [
        'absolute lifetime too long, no level time: measured from creation',
        { createdAt: now - 1000, levelAt: null, lastSeenAt: now - 1000, absoluteExpiresAt: now + ABSOLUTE },
      ],
      [
        'absolute expiry beyond levelAt + absolute timeout, levelAt in the past',
        {
          createdAt: now - 2000,
          levelAt: now - 1000,
          lastSeenAt: now - 1000,
          absoluteExpiresAt: now - 1000 + ABSOLUTE + 1,
        },
      ],
      ['idle expiry past now + idle timeout', { idleExpiresAt: now + IDLE + 10 * SECOND }],
      ['created in the future', { createdAt: now + 60 * SECOND }],
      ['last seen in the future', { lastSeenAt: now + 60 * SECOND }],
      [
        'idle expiry after absolute expiry',
        { idleExpiresAt: now + 50 * SECOND, absoluteExpiresAt: now + 40 * SECOND },
      ],
      ['level time in the future', { levelAt: now + 60 * SECOND }],
      ['rotation time in the future', { rotatedAt: now + 60 * SECOND }],
    ];
    for (const [label, changes] of cases) {
      const events: TesseraEvent[] = [];
      const sealed = rotating(clock, events);
      const jar = mint(session(now, changes), now);
      const auth = await sealed.authenticate(facts(cookieHeader(jar)));
      assert.equal(code(auth), 'token_invalid', label);
      assert.ok(onlyClears(auth), `${label}: no re-seal`);
      assert.deepEqual(
        events.map((event) => event.type),
        ['unknown-token'],
        label,
      );
    }
    // Control: the same forged seal within policy is a valid old-key seal, opened and re-sealed under the new key.
    const sealed = rotating(clock);
    const auth = await sealed.authenticate(facts(cookieHeader(mint(session(now), now))));
    assert.equal(code(auth), 'ok');
    assert.equal(auth.setCookies.length, 1, 're-sealed under the new key');
    assert.ok(!onlyClears(auth), 'a real seal');
  });

  it('measures the absolute lifetime from the later of creation and re-authentication (levelAt)', async () => {
    const clock = manualClock();
    const now = clock();
    // Logged in 500 s ago, re-authenticated 100 s ago: the window runs to levelAt + 600 s, as elevate writes it.
    const levelAt = now - 100 * SECOND;
    const elevated = session(now, {
      createdAt: now - 500 * SECOND,
      levelAt,
      lastSeenAt: now - 10 * SECOND,
      rotatedAt: levelAt,
      absoluteExpiresAt: levelAt + ABSOLUTE,
    });
    assert.equal(code(await rotating(clock).authenticate(facts(cookieHeader(mint(elevated, now))))), 'ok');
    const events: TesseraEvent[] = [];
    const stretched = session(now, { ...elevated, absoluteExpiresAt: levelAt + ABSOLUTE + 1 });
    const auth = await rotating(clock, events).authenticate(facts(cookieHeader(mint(stretched, now))));
    assert.equal(code(auth), 'token_invalid');
    assert.equal(events[0]?.detail?.lifetime, 'absolute-lifetime');
    // The later of the two counts: a level time before creation leaves the window at creation + 600 s.
    const created = now - 100 * SECOND;
    const olderLevel = session(now, {
      createdAt: created,
      levelAt: created - 50 * SECOND,
      lastSeenAt: created,
      absoluteExpiresAt: created + ABSOLUTE,
    });
    assert.equal(code(await rotating(clock).authenticate(facts(cookieHeader(mint(olderLevel, now))))), 'ok');
  });

  it('tolerates 5 s of clock skew between processes, and not more', async () => {
    const clock = manualClock();
    const now = clock();
    const ahead = (ms: number) =>
      session(now + ms, { idleExpiresAt: now + ms + IDLE, absoluteExpiresAt: now + ms + ABSOLUTE });
    assert.equal(code(await rotating(clock).authenticate(facts(cookieHeader(mint(ahead(5000), now))))), 'ok');
    assert.equal(
      code(await rotating(clock).authenticate(facts(cookieHeader(mint(ahead(5001), now))))),
      'token_invalid',
    );
  });

  it('refuses a chunked out-of-policy seal too', async () => {
    const clock = manualClock();
    const now = clock();
    const sealed = rotating(clock);
    const options = resolveSealedOptions({
      keys: [OLD],
      cookie,
      compress: false,
      idleTimeout: 10 * 365 * 24 * 3600,
      absoluteTimeout: 10 * 365 * 24 * 3600,
    });
    const forged = session(now, {
      data: { blob: noise(6000) },
      idleExpiresAt: now + YEAR,
      absoluteExpiresAt: now + YEAR,
    });
    const jar = applySetCookies(sealToCookies(options, forged, [], now));
    assert.ok(jar.size >= 2, 'chunked');
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(code(auth), 'token_invalid');
    assert.ok(onlyClears(auth), 'no re-seal');
    assert.equal(applySetCookies(auth.setCookies, new Map(jar)).size, 0, 'every chunk cleared');
  });

  it('with a store configured, refuses the same way (before the not-before read)', async () => {
    const clock = manualClock();
    const now = clock();
    let reads = 0;
    const store: SubjectCutoffs = {
      kind: 'counting',
      getSubjectNotBefore: async () => {
        reads += 1;
        return null;
      },
      getLatestNotBefore: async () => {
        reads += 1;
        return null;
      },
      setSubjectNotBefore: async () => {},
    };
    const sealed = new SealedSessions({
      keys: [NEW, OLD],
      cookie,
      clock,
      idleTimeout: 60,
      absoluteTimeout: 600,
      store,
    });
    const jar = mint(session(now, { absoluteExpiresAt: now + YEAR, idleExpiresAt: now + YEAR }), now);
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(code(auth), 'token_invalid');
    assert.ok(onlyClears(auth), 'no re-seal');
    assert.equal(reads, 0);
  });
});

describe('sealed cookies have one spelling: base64url, unquoted', () => {
  /** A fresh seal whose text holds `-` or `_`, so it has a standard-base64 re-spelling. */
  async function sealWithUrlCharacters(sealed: SealedSessions): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const issued = await sealed.login(facts(null), { subject: 'alice' });
      const value = applySetCookies(issued.setCookies).get('sid') as string;
      if (/[-_]/.test(value)) return value;
    }
    throw new Error('no seal with - or _ in 50 attempts');
  }

  const respell = (value: string) => value.replaceAll('-', '+').replaceAll('_', '/');

  it('refuses the standard base64 alphabet (+ and /) before any decryption, even when the seal is cached', async () => {
    const sealed = new SealedSessions({ keys: [OLD], cookie, cacheSize: 8 });
    const value = await sealWithUrlCharacters(sealed);
    assert.equal(
      code(await sealed.authenticate(facts(`sid=${value}`))),
      'ok',
      'the canonical spelling opens',
    );
    const opens = countOpens(sealed);
    const auth = await sealed.authenticate(facts(`sid=${respell(value)}`));
    assert.equal(code(auth), 'token_invalid');
    assert.equal(auth.result.ok === false && auth.result.status, 401);
    assert.ok(onlyClears(auth), 'no seal written');
    assert.equal(opens.count, 0, 'refused before any AES-GCM open');
    // Standard base64 with padding, or anything else outside the alphabet: refused the same way.
    for (const other of [`${respell(value)}=`, `${value}=`, `${value.slice(0, 10)}%2D${value.slice(13)}`]) {
      assert.equal(code(await sealed.authenticate(facts(`sid=${other}`))), 'token_invalid', other);
    }
    assert.equal(opens.count, 0, 'none of them reached decryption');
  });

  it('refuses a double-quoted cookie value (single cookie and chunk) before any decryption', async () => {
    const sealed = new SealedSessions({ keys: [OLD], cookie, cacheSize: 8, compress: false });
    const issued = await sealed.login(facts(null), { subject: 'alice' });
    const value = applySetCookies(issued.setCookies).get('sid') as string;
    const opens = countOpens(sealed);
    for (const header of [`sid="${value}"`, `sid= "${value}" `, `other=1; sid="${value}"`]) {
      const auth = await sealed.authenticate(facts(header));
      assert.equal(code(auth), 'token_invalid', header);
      assert.ok(onlyClears(auth), 'no seal written');
    }
    assert.equal(opens.count, 0, 'refused before any AES-GCM open');
    assert.equal(code(await sealed.authenticate(facts(`sid=${value}`))), 'ok', 'the unquoted cookie opens');

    const big = await sealed.login(facts(null), { subject: 'alice', data: { blob: noise(6000) } });
    const jar = applySetCookies(big.setCookies);
    assert.ok(jar.size >= 2, 'chunked');
    assert.equal(code(await sealed.authenticate(facts(cookieHeader(jar)))), 'ok');
    for (const name of jar.keys()) {
      const quoted = new Map(jar);
      quoted.set(name, `"${jar.get(name)}"`);
      assert.equal(code(await sealed.authenticate(facts(cookieHeader(quoted)))), 'token_invalid', name);
      const plus = new Map(jar);
      plus.set(name, respell(jar.get(name) as string));
      if (plus.get(name) !== jar.get(name)) {
        assert.equal(code(await sealed.authenticate(facts(cookieHeader(plus)))), 'token_invalid', name);
      }
    }
  });
});
