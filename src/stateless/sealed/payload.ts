import { isJsonValue, isPlainObject } from '../../core/json.js';
import type { Session, SessionData } from '../../core/session.js';

/**
 * The sealed payload: the whole session, with short keys to keep cookies small. Expiry lives here, inside the
 * authenticated ciphertext, and the server enforces it; the cookie's Max-Age is only a hint to the browser.
 */
interface Payload {
  /** public session id */
  i: string;
  /** subject */
  s: string;
  d: SessionData;
  v: number;
  l: number;
  la: number | null;
  /** created */
  c: number;
  /** last seen (last re-seal) */
  r: number;
  /** rotated (elevated) */
  ro: number | null;
  /** idle expiry */
  ie: number;
  /** absolute expiry */
  ae: number;
}

export function encodePayload(session: Session<SessionData>): string {
  const payload: Payload = {
    i: session.id,
    s: session.subject,
    d: session.data,
    v: session.version,
    l: session.level,
    la: session.levelAt,
    c: session.createdAt,
    r: session.lastSeenAt,
    ro: session.rotatedAt,
    ie: session.idleExpiresAt,
    ae: session.absoluteExpiresAt,
  };
  return JSON.stringify(payload);
}

/** Decodes an authenticated payload; null when its shape is wrong (a different format version, say). */
export function decodePayload<Data extends SessionData>(text: string): Session<Data> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  const p = value as Partial<Payload>;
  if (
    typeof p.i !== 'string' ||
    typeof p.s !== 'string' ||
    !isPlainObject(p.d) ||
    !isTime(p.v) ||
    !isTime(p.l) ||
    !isTimeOrNull(p.la) ||
    !isTime(p.c) ||
    !isTime(p.r) ||
    !isTimeOrNull(p.ro) ||
    !isTime(p.ie) ||
    !isTime(p.ae)
  ) {
    return null;
  }
  return {
    id: p.i,
    subject: p.s,
    data: p.d as Data,
    version: p.v,
    level: p.l,
    levelAt: p.la,
    createdAt: p.c,
    lastSeenAt: p.r,
    rotatedAt: p.ro,
    idleExpiresAt: p.ie,
    absoluteExpiresAt: p.ae,
    ip: null,
    userAgent: null,
  };
}

/** Session data must be JSON to be sealed; checked on write, not on every read. */
export function isSealableData(data: unknown): data is SessionData {
  return isPlainObject(data) && isJsonValue(data);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTimeOrNull(value: unknown): value is number | null {
  return value === null || isTime(value);
}
