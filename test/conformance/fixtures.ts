import { cryptoRandom } from '../../src/core/random.js';
import type { SessionRecord } from '../../src/core/session.js';
import { hashSecret, newSecret, newSessionId } from '../../src/core/token.js';
import type { RefreshFamilyRecord, SessionStore } from '../../src/core/store.js';

/**
 * Times in the suites start at the real clock (rounded) so stores that also keep a server-side TTL
 * (Redis PEXPIREAT, a PostgreSQL sweeper) never drop a record the test still expects: "expired" is
 * always expressed by passing a later `now`, never by records that lie in the real past.
 */
export const T0 = Math.floor(Date.now() / 1000) * 1000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function newHash(): string {
  return hashSecret(newSecret(cryptoRandom));
}

/** A fresh public id, with the store's shard for the subject when it has one (Redis Cluster). */
export function newId(store: SessionStore, subject: string): string {
  return newSessionId(cryptoRandom, store.shardFor?.(subject));
}

let subjectCounter = 0;
/** A subject unique to this process run, so suites sharing one server never see each other's rows. */
export function newSubject(label = 'user'): string {
  subjectCounter += 1;
  return `${label}-${process.pid}-${subjectCounter}-${newSecret(cryptoRandom).slice(0, 6)}`;
}

export function makeRecord(store: SessionStore, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const subject = overrides.subject ?? newSubject();
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: overrides.id ?? newId(store, subject),
    subject,
    secretHash: newHash(),
    previousSecretHash: null,
    previousSecretValidUntil: null,
    data: {},
    version: 1,
    level: 1,
    levelAt: createdAt,
    createdAt,
    lastSeenAt: createdAt,
    rotatedAt: null,
    idleExpiresAt: createdAt + 30 * MINUTE,
    absoluteExpiresAt: createdAt + 12 * HOUR,
    ip: null,
    userAgent: null,
    ...overrides,
  };
}

export function makeFamily(overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  const subject = overrides.subject ?? newSubject();
  return {
    familyId: newSessionId(cryptoRandom),
    sessionId: newSessionId(cryptoRandom),
    subject,
    generation: 0,
    currentHash: newHash(),
    previousHash: null,
    rotatedAt: null,
    createdAt: T0,
    expiresAt: T0 + 12 * HOUR,
    revokedAt: null,
    ...overrides,
  };
}

/** Strings that must be answered "not found", never by a throw (SQL, glob and key-pattern metacharacters). */
export const ODD_IDS: readonly string[] = [
  '',
  ' ',
  "x' OR '1'='1",
  '%',
  '_',
  '*',
  '?',
  '[a-z]*',
  '{shard}',
  'a:b:c',
  '\\',
  '\u0000',
  'é🙂',
  'x'.repeat(10_000),
];
