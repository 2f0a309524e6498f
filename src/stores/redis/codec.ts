import type { SessionData, SessionRecord } from '../../core/session.js';
import type { RefreshFamilyRecord } from '../../core/store.js';

/** Version of the value layout, first element of the meta array. */
const FORMAT = '1';

function text(value: number | null): string | null {
  return value === null ? null : String(value);
}

function num(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * A session as one string value: `<meta JSON>\n<data JSON>`. `meta` holds only strings and nulls in a fixed
 * order (the Lua scripts index it by position: keep the list in scripts.ts in step). JSON never contains a raw newline,
 * so the first one separates the two parts.
 */
export function encodeSession(record: SessionRecord): string {
  const meta: (string | null)[] = [
    FORMAT,
    record.subject,
    record.secretHash,
    record.previousSecretHash,
    text(record.previousSecretValidUntil),
    String(record.version),
    String(record.level),
    text(record.levelAt),
    String(record.createdAt),
    String(record.lastSeenAt),
    text(record.rotatedAt),
    String(record.idleExpiresAt),
    String(record.absoluteExpiresAt),
    record.ip,
    record.userAgent,
  ];
  return `${JSON.stringify(meta)}\n${JSON.stringify(record.data)}`;
}

export function decodeSession(id: string, raw: string | null): SessionRecord | null {
  if (raw === null) return null;
  const cut = raw.indexOf('\n');
  if (cut < 0) return null;
  const meta = JSON.parse(raw.slice(0, cut)) as (string | null)[];
  if (meta[0] !== FORMAT) throw new Error(`unknown Redis session format ${String(meta[0])}`);
  return {
    id,
    subject: meta[1] as string,
    secretHash: meta[2] as string,
    previousSecretHash: meta[3] ?? null,
    previousSecretValidUntil: num(meta[4]),
    data: JSON.parse(raw.slice(cut + 1)) as SessionData,
    version: Number(meta[5]),
    level: Number(meta[6]),
    levelAt: num(meta[7]),
    createdAt: Number(meta[8]),
    lastSeenAt: Number(meta[9]),
    rotatedAt: num(meta[10]),
    idleExpiresAt: Number(meta[11]),
    absoluteExpiresAt: Number(meta[12]),
    ip: meta[13] ?? null,
    userAgent: meta[14] ?? null,
  };
}

/** A flat field/value list (`[field, value, …]`, as HGETALL of a refresh family answers) as an object. */
export function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let n = 0; n + 1 < flat.length; n += 2) out[flat[n] as string] = flat[n + 1] as string;
  return out;
}

function put(out: string[], field: string, value: string | number | null): void {
  if (value !== null) out.push(field, String(value));
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
