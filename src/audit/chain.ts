import { createHash } from 'node:crypto';
import type { AuditEntry } from './record.js';

/** `prev` of the first line: 64 zeros (no line before it). */
export const GENESIS = '0'.repeat(64);

/** The chain hash of a line: SHA-256 (hex) of its UTF-8 bytes without the newline, as `sha256sum` prints it. */
export function lineHash(line: Uint8Array | string): string {
  return createHash('sha256').update(line).digest('hex');
}

/**
 * Serialises one record as a JSON line, without the trailing newline. `seq` and `prev` are the chain fields:
 * editing, deleting or reordering a line breaks the `prev` of the line after it.
 */
export function formatLine(entry: AuditEntry, seq: number, prev: string): string {
  const { v, ...rest } = entry;
  return JSON.stringify({ v, seq, ...rest, prev });
}
