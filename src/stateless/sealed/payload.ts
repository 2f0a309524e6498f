import { bytesToFill, utf8Decode, utf8Encode } from '#crypto';
import type { Session, SessionData } from '../../core/session.js';

/**
 * The sealed payload: the whole session in a small binary layout (parsing a JSON object of eleven fields
 * cost more than the AES-GCM open around it; see bench/stateless.bench.ts). Expiry lives here, inside the
 * authenticated ciphertext, and the server enforces it; the cookie's Max-Age is only a hint to the browser.
 *
 * | bytes | field |
 * |---|---|
 * | 1 | payload version (1) |
 * | 6 × 6 | created, last seen, idle expiry, absolute expiry, level time, rotated (ms, uint48 BE; all ones = null) |
 * | 4 | data version (uint32 BE) |
 * | 4 | level (uint32 BE) |
 * | 1 + n | public id length, id (ASCII) |
 * | 2 + n | subject length, subject (UTF-8) |
 * | rest | data (UTF-8 JSON object) |
 */
const PAYLOAD_VERSION = 1;
const NULL_TIME = 0xffffffffffff;
const FIXED = 1 + 6 * 6 + 4 + 4;

export function encodePayload(session: Session<SessionData>): Uint8Array {
  // Session ids are ASCII (checked where they are made), so their UTF-8 is their ASCII.
  const id = utf8Encode(session.id);
  const subject = utf8Encode(session.subject);
  const data = utf8Encode(JSON.stringify(session.data));
  if (id.byteLength > 255 || subject.byteLength > 0xffff)
    throw new TypeError('tessera: id or subject too long');
  // Every byte is written below.
  const out = bytesToFill(FIXED + 1 + id.byteLength + 2 + subject.byteLength + data.byteLength);
  out[0] = PAYLOAD_VERSION;
  let at = 1;
  for (const time of [
    session.createdAt,
    session.lastSeenAt,
    session.idleExpiresAt,
    session.absoluteExpiresAt,
    session.levelAt,
    session.rotatedAt,
  ]) {
    at = writeTime(out, time ?? NULL_TIME, at);
  }
  at = writeUint32(out, session.version, at);
  at = writeUint32(out, session.level, at);
  out[at] = id.byteLength;
  out.set(id, at + 1);
  at += 1 + id.byteLength;
  out[at] = subject.byteLength >>> 8;
  out[at + 1] = subject.byteLength & 0xff;
  at += 2;
  out.set(subject, at);
  out.set(data, at + subject.byteLength);
  return out;
}

/** Decodes an authenticated payload; null when its shape is wrong (another payload version, say). */
export function decodePayload<Data extends SessionData>(bytes: Uint8Array): Session<Data> | null {
  if (bytes.byteLength < FIXED + 1 + 2 + 2 || bytes[0] !== PAYLOAD_VERSION) return null;
  const idLength = bytes[FIXED] as number;
  const subjectAt = FIXED + 1 + idLength;
  if (bytes.byteLength < subjectAt + 2) return null;
  const subjectLength = ((bytes[subjectAt] as number) << 8) | (bytes[subjectAt + 1] as number);
  const dataAt = subjectAt + 2 + subjectLength;
  // The smallest data is `{}`.
  if (bytes.byteLength < dataAt + 2 || bytes[dataAt] !== 0x7b) return null;
  const levelAt = readTime(bytes, 25);
  const rotatedAt = readTime(bytes, 31);
  let data: unknown;
  try {
    data = JSON.parse(utf8Decode(bytes, dataAt));
  } catch {
    return null;
  }
  return {
    id: utf8Decode(bytes, FIXED + 1, subjectAt),
    subject: utf8Decode(bytes, subjectAt + 2, dataAt),
    data: data as Data,
    version: readUint32(bytes, 37),
    level: readUint32(bytes, 41),
    levelAt: levelAt === NULL_TIME ? null : levelAt,
    createdAt: readTime(bytes, 1),
    lastSeenAt: readTime(bytes, 7),
    rotatedAt: rotatedAt === NULL_TIME ? null : rotatedAt,
    idleExpiresAt: readTime(bytes, 13),
    absoluteExpiresAt: readTime(bytes, 19),
    ip: null,
    userAgent: null,
  };
}

/** Writes a uint32 big-endian at `at`; returns the offset after it. */
function writeUint32(out: Uint8Array, value: number, at: number): number {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return at + 4;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}

/** Writes a uint48 big-endian time (ms, or NULL_TIME) at `at`; returns the offset after it. */
function writeTime(out: Uint8Array, value: number, at: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > NULL_TIME) {
    throw new RangeError('tessera: a sealed time must be a uint48 of milliseconds');
  }
  const high = Math.floor(value / 0x100000000);
  out[at] = high >>> 8;
  out[at + 1] = high & 0xff;
  return writeUint32(out, value >>> 0, at + 2);
}

/** A uint48 big-endian time. */
function readTime(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 8) | (bytes[at + 1] as number)) * 0x100000000 + readUint32(bytes, at + 2);
}
