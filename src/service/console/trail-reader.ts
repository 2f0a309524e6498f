import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { AuditRecord } from '../../audit/record.js';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
/** A record line is small (the trail caps its strings); a longer "line" is not ours and is skipped. */
const MAX_LINE = 64 * 1024;

export interface BackwardRead {
  /** Why the read ended: the visitor said so, the byte budget ran out (older lines unread), or the file began. */
  readonly stopped: 'visitor' | 'budget' | 'start';
  /** `seq` of the oldest record read, or null when none was. */
  readonly lowestSeq: number | null;
  /** `seq` of the newest record in the file, or null when it holds none. */
  readonly highestSeq: number | null;
}

/**
 * Reads an audit trail file (JSON Lines, `audit/file-trail.ts`) from its end towards its start, handing each
 * record to `visit` newest first until it returns false, the start is reached, or `budget` bytes were read: an
 * operator's feed must not read a whole large trail on every poll. A torn last line (a write in progress) and
 * lines that are not records are skipped. Opened read-only and never through a symlink. A missing file has no
 * records.
 */
export async function readTrailBackwards(
  path: string,
  budget: number,
  visit: (record: AuditRecord) => boolean,
): Promise<BackwardRead> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { stopped: 'start', lowestSeq: null, highestSeq: null };
    }
    throw error;
  }
  let lowestSeq: number | null = null;
  let highestSeq: number | null = null;
  try {
    const info = await handle.stat();
    let position = info.isFile() ? info.size : 0;
    let carry: Buffer = Buffer.alloc(0);
    let read = 0;
    // The bytes after the last newline are a line still being written: never a record yet.
    let atEnd = true;
    while (position > 0) {
      if (read >= budget) return { stopped: 'budget', lowestSeq, highestSeq };
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      read += bytesRead;
      let bytes = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
      let end = bytes.length;
      if (atEnd) {
        const last = bytes.lastIndexOf(NEWLINE);
        end = last === -1 ? 0 : last;
        if (last === -1 && position > 0) {
          carry = bytes.length > MAX_LINE ? Buffer.alloc(0) : bytes;
          continue;
        }
        atEnd = false;
      }
      for (;;) {
        const start = end === 0 ? -1 : bytes.lastIndexOf(NEWLINE, end - 1);
        if (start === -1 && position > 0) break;
        const record = parseRecord(bytes.subarray(start + 1, end));
        if (record !== null) {
          highestSeq ??= record.seq;
          lowestSeq = record.seq;
          if (!visit(record)) return { stopped: 'visitor', lowestSeq, highestSeq };
        }
        if (start === -1) break;
        end = start;
      }
      // What is left before the first newline continues in the chunk before this one.
      bytes = bytes.subarray(0, Math.max(end, 0));
      carry = bytes.length > MAX_LINE ? Buffer.alloc(0) : Buffer.from(bytes);
    }
    return { stopped: 'start', lowestSeq, highestSeq };
  } finally {
    await handle.close();
  }
}

function parseRecord(line: Buffer): AuditRecord | null {
  if (line.length === 0 || line.length > MAX_LINE) return null;
  try {
    const value = JSON.parse(line.toString('utf8')) as Partial<AuditRecord> | null;
    if (value === null || typeof value !== 'object' || value.v !== 1) return null;
    if (!Number.isSafeInteger(value.seq) || typeof value.type !== 'string') return null;
    return value as AuditRecord;
  } catch {
    return null;
  }
}
