import type { FileHandle } from 'node:fs/promises';
import { GENESIS, lineHash } from './chain.js';

/** Where the chain on disk ends: what the next line must continue from. */
export interface ChainTail {
  /** `prev` for the next line. */
  readonly hash: string;
  /** `seq` of the last complete line (0 for an empty file). */
  readonly seq: number;
  /** Bytes after the last newline: a write cut short by a crash or a failed write (0 when clean). */
  readonly tornBytes: number;
}

const WINDOW = 64 * 1024;
/** Lines are small (strings are capped); past this the tail is not a trail we wrote. */
const MAX_SCAN = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Reads the end of an open trail file to find the last complete line, its hash and its `seq`. */
export async function readChainTail(handle: FileHandle): Promise<ChainTail> {
  const info = await handle.stat();
  // Not a regular file (a pipe, /dev/full, …): nothing to continue from.
  if (!info.isFile() || info.size === 0) return { hash: GENESIS, seq: 0, tornBytes: 0 };
  const size = info.size;
  let length = Math.min(size, WINDOW);
  for (;;) {
    const start = size - length;
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    const bytes = buffer.subarray(0, bytesRead);
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline !== -1) {
      const tornBytes = bytes.length - lastNewline - 1;
      // (A negative offset would search from the end, so a newline at 0 has nothing before it.)
      const before = lastNewline === 0 ? -1 : bytes.lastIndexOf(NEWLINE, lastNewline - 1);
      if (before !== -1 || start === 0) {
        const line = bytes.subarray(before + 1, lastNewline);
        return { hash: lineHash(line), seq: seqOf(line), tornBytes };
      }
    } else if (start === 0) {
      // One torn line and nothing before it: the chain starts afresh after it.
      return { hash: GENESIS, seq: 0, tornBytes: bytes.length };
    }
    if (length >= MAX_SCAN || length === size) {
      throw new Error(`audit trail tail has no line end in its last ${length} bytes`);
    }
    length = Math.min(size, length * 4, MAX_SCAN);
  }
}

function seqOf(line: Uint8Array): number {
  try {
    const parsed = JSON.parse(Buffer.from(line).toString('utf8')) as { seq?: unknown };
    return typeof parsed.seq === 'number' && Number.isSafeInteger(parsed.seq) ? parsed.seq : 0;
  } catch {
    return 0;
  }
}
