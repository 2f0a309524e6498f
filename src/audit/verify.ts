import { createReadStream } from 'node:fs';
import { GENESIS, lineHash } from './chain.js';

/** Why a trail failed verification. */
export type AuditBreak =
  /** A line is not JSON (and is not a torn write that the writer recorded recovering from). */
  | 'invalid_json'
  /** A line is JSON but not an audit record (missing `v`, `seq`, `type` or `prev`). */
  | 'invalid_record'
  /** `prev` is not the SHA-256 of the line before: that line was edited, deleted, inserted or moved. */
  | 'prev_mismatch'
  /** `seq` does not follow the line before. */
  | 'seq_mismatch'
  /** The file ends in the middle of a line. */
  | 'torn_line'
  | 'line_too_long';

export type AuditVerification =
  | {
      readonly ok: true;
      /** Audit records checked (torn fragments not counted). */
      readonly records: number;
      /** SHA-256 of the last line: anchor it elsewhere to detect a later truncation of the tail. */
      readonly head: string;
      /** `seq` of the last record (0 for an empty file). */
      readonly lastSeq: number;
      /** Line numbers of torn writes the writer recovered from (each followed by an `audit-recovered` record). */
      readonly recovered: readonly number[];
    }
  | {
      readonly ok: false;
      /** 1-based number of the first broken line. */
      readonly line: number;
      readonly reason: AuditBreak;
      readonly message: string;
      /** Records that verified before the break. */
      readonly records: number;
    };

export interface VerifyOptions {
  /** Longest line accepted. @default 1048576 */
  maxLineBytes?: number;
  /**
   * Called after each chunk read (64 KiB) with the records verified and the bytes read so far, so a caller
   * can show progress on a large file. It must not throw.
   */
  onProgress?: (progress: { readonly records: number; readonly bytes: number }) => void;
}

interface Walk {
  expected: string;
  expectedSeq: number;
  records: number;
  lineNumber: number;
  torn: { line: number; bytes: number } | null;
  recovered: number[];
}

type Failure = Extract<AuditVerification, { ok: false }>;

/**
 * Walks a trail written by `createFileAuditTrail` and checks every link of the chain. Streams the file, so
 * memory stays small whatever its size. Reports the first broken line. Throws only if the file cannot be read.
 */
export async function verifyAuditTrail(
  path: string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const maxLine = options.maxLineBytes ?? 1024 * 1024;
  const walk: Walk = {
    expected: GENESIS,
    expectedSeq: 1,
    records: 0,
    lineNumber: 0,
    torn: null,
    recovered: [],
  };
  let carry: Buffer = Buffer.alloc(0);
  let bytesRead = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(0x0a, start);
      if (end === -1) {
        carry = carry.length === 0 ? bytes.subarray(start) : Buffer.concat([carry, bytes.subarray(start)]);
        if (carry.length > maxLine)
          return broken(walk, walk.lineNumber + 1, 'line_too_long', 'line too long');
        break;
      }
      const line =
        carry.length === 0 ? bytes.subarray(start, end) : Buffer.concat([carry, bytes.subarray(start, end)]);
      carry = Buffer.alloc(0);
      start = end + 1;
      if (line.length > maxLine) return broken(walk, walk.lineNumber + 1, 'line_too_long', 'line too long');
      const failure = checkLine(walk, line);
      if (failure !== null) return failure;
    }
    bytesRead += bytes.length;
    options.onProgress?.({ records: walk.records, bytes: bytesRead });
  }
  if (carry.length > 0) {
    return broken(walk, walk.lineNumber + 1, 'torn_line', 'the file ends in the middle of a line');
  }
  if (walk.torn !== null) {
    return broken(walk, walk.torn.line, 'invalid_json', 'not a JSON record');
  }
  return {
    ok: true,
    records: walk.records,
    head: walk.expected,
    lastSeq: walk.expectedSeq - 1,
    recovered: walk.recovered,
  };
}

function checkLine(walk: Walk, line: Buffer): Failure | null {
  walk.lineNumber += 1;
  const record = parse(line);
  if (record === null) {
    // Maybe a torn write: acceptable only if the next line is the writer's `audit-recovered` record for it.
    if (walk.torn !== null) return broken(walk, walk.torn.line, 'invalid_json', 'not a JSON record');
    walk.torn = { line: walk.lineNumber, bytes: line.length };
    return null;
  }
  const { v, seq, type, prev } = record;
  if (v !== 1 || typeof seq !== 'number' || typeof type !== 'string' || typeof prev !== 'string') {
    return broken(
      walk,
      walk.torn?.line ?? walk.lineNumber,
      walk.torn === null ? 'invalid_record' : 'invalid_json',
      'not an audit record',
    );
  }
  if (walk.torn !== null) {
    const detail = record.detail as { tornBytes?: unknown } | undefined;
    if (type !== 'audit-recovered' || detail?.tornBytes !== walk.torn.bytes) {
      return broken(walk, walk.torn.line, 'invalid_json', 'not a JSON record');
    }
    walk.recovered.push(walk.torn.line);
    walk.torn = null;
  }
  if (prev !== walk.expected) {
    return broken(
      walk,
      walk.lineNumber,
      'prev_mismatch',
      walk.lineNumber === 1 || walk.records === 0
        ? 'the first record does not start the chain (lines before it were removed?)'
        : 'prev is not the hash of the line before (a line was edited, removed, inserted or moved)',
    );
  }
  if (seq !== walk.expectedSeq) {
    return broken(walk, walk.lineNumber, 'seq_mismatch', `seq is ${seq}, expected ${walk.expectedSeq}`);
  }
  walk.expected = lineHash(line);
  walk.expectedSeq = seq + 1;
  walk.records += 1;
  return null;
}

function parse(line: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function broken(walk: Walk, line: number, reason: AuditBreak, message: string): Failure {
  return { ok: false, line, reason, message: `line ${line}: ${message}`, records: walk.records };
}
