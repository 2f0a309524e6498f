import type { JsonValue } from '../../core/json.js';
import type { SessionData, SessionRecord } from '../../core/session.js';
import type { RefreshFamilyRecord } from '../contract.js';

/** Field prefix for one top-level data key; its value is that key's JSON. */
const DATA = 'd:';

function num(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

function put(out: string[], field: string, value: string | number | null): void {
  if (value !== null) out.push(field, String(value));
}

/** Field/value pairs for HSET. Null values are left out (a missing field reads back as null). */
export function encodeSession(record: SessionRecord): string[] {
  const out: string[] = [
    'u',
    record.subject,
    'h',
    record.secretHash,
    'v',
    String(record.version),
    'lv',
    String(record.level),
    'c',
    String(record.createdAt),
    'l',
    String(record.lastSeenAt),
    'i',
    String(record.idleExpiresAt),
    'a',
    String(record.absoluteExpiresAt),
  ];
  put(out, 'ph', record.previousSecretHash);
  put(out, 'pu', record.previousSecretValidUntil);
  put(out, 'la', record.levelAt);
  put(out, 'r', record.rotatedAt);
  put(out, 'ip', record.ip);
  put(out, 'ua', record.userAgent);
  out.push(...encodeData(record.data));
  return out;
}

export function encodeData(data: Record<string, JsonValue>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(data)) out.push(DATA + key, JSON.stringify(value));
  return out;
}

export function dataField(key: string): string {
  return DATA + key;
}

/** A flat HGETALL reply from a script (`[field, value, …]`) as an object. */
export function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let n = 0; n + 1 < flat.length; n += 2) out[flat[n] as string] = flat[n + 1] as string;
  return out;
}

export function decodeSession(id: string, hash: Record<string, string>): SessionRecord | null {
  if (hash.h === undefined || hash.u === undefined) return null;
  const data: SessionData = {};
  for (const field of Object.keys(hash)) {
    if (!field.startsWith(DATA)) continue;
    // defineProperty: a data key named "__proto__" stays a plain key.
    Object.defineProperty(data, field.slice(DATA.length), {
      value: JSON.parse(hash[field] as string) as JsonValue,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    id,
    subject: hash.u,
    secretHash: hash.h,
    previousSecretHash: hash.ph ?? null,
    previousSecretValidUntil: num(hash.pu),
    data,
    version: Number(hash.v),
    level: Number(hash.lv),
    levelAt: num(hash.la),
    createdAt: Number(hash.c),
    lastSeenAt: Number(hash.l),
    rotatedAt: num(hash.r),
    idleExpiresAt: Number(hash.i),
    absoluteExpiresAt: Number(hash.a),
    ip: hash.ip ?? null,
    userAgent: hash.ua ?? null,
  };
}

export function encodeFamily(record: RefreshFamilyRecord): string[] {
  const out = [
    's',
    record.sessionId,
    'u',
    record.subject,
    'g',
    String(record.generation),
    'h',
    record.currentHash,
    'c',
    String(record.createdAt),
    'x',
    String(record.expiresAt),
  ];
  put(out, 'ph', record.previousHash);
  put(out, 'r', record.rotatedAt);
  put(out, 'rv', record.revokedAt);
  return out;
}

export function decodeFamily(familyId: string, hash: Record<string, string>): RefreshFamilyRecord | null {
  if (hash.h === undefined || hash.s === undefined || hash.u === undefined) return null;
  return {
    familyId,
    sessionId: hash.s,
    subject: hash.u,
    generation: Number(hash.g),
    currentHash: hash.h,
    previousHash: hash.ph ?? null,
    rotatedAt: num(hash.r),
    createdAt: Number(hash.c),
    expiresAt: Number(hash.x),
    revokedAt: num(hash.rv),
  };
}
