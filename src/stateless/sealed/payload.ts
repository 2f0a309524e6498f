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

export function encodePayload(session: Session<SessionData>): Buffer {
  const id = Buffer.from(session.id, 'latin1');
  const subject = Buffer.from(session.subject, 'utf8');
  const data = Buffer.from(JSON.stringify(session.data), 'utf8');
  if (id.byteLength > 255 || subject.byteLength > 0xffff)
    throw new TypeError('tessera: id or subject too long');
  const out = Buffer.allocUnsafe(FIXED + 1 + id.byteLength + 2 + subject.byteLength + data.byteLength);
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
    at = out.writeUIntBE(time ?? NULL_TIME, at, 6);
  }
  at = out.writeUInt32BE(session.version, at);
  at = out.writeUInt32BE(session.level, at);
  out[at] = id.byteLength;
  at += 1 + id.copy(out, at + 1);
  at = out.writeUInt16BE(subject.byteLength, at);
  at += subject.copy(out, at);
  data.copy(out, at);
  return out;
}

/** Decodes an authenticated payload; null when its shape is wrong (another payload version, say). */
export function decodePayload<Data extends SessionData>(bytes: Buffer): Session<Data> | null {
  if (bytes.byteLength < FIXED + 1 + 2 + 2 || bytes[0] !== PAYLOAD_VERSION) return null;
  const idLength = bytes[FIXED] as number;
  const subjectAt = FIXED + 1 + idLength;
  if (bytes.byteLength < subjectAt + 2) return null;
  const subjectLength = bytes.readUInt16BE(subjectAt);
  const dataAt = subjectAt + 2 + subjectLength;
  // The smallest data is `{}`.
  if (bytes.byteLength < dataAt + 2 || bytes[dataAt] !== 0x7b) return null;
  const levelAt = readTime(bytes, 25);
  const rotatedAt = readTime(bytes, 31);
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8', dataAt));
  } catch {
    return null;
  }
  return {
    id: bytes.toString('latin1', FIXED + 1, subjectAt),
    subject: bytes.toString('utf8', subjectAt + 2, dataAt),
    data: data as Data,
    version: bytes.readUInt32BE(37),
    level: bytes.readUInt32BE(41),
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

/** A uint48 big-endian time; two fixed-width reads are much faster than the generic `readUIntBE`. */
function readTime(bytes: Buffer, at: number): number {
  return bytes.readUInt16BE(at) * 0x100000000 + bytes.readUInt32BE(at + 2);
}
