import { byteLengthOf } from '../../core/encoding.js';
import type { SessionData } from '../../core/session.js';

/** UTF-8 bytes of the data's JSON text (JSON.stringify), the measure `UpdateOptions.maxDataBytes` limits. */
export function dataBytes(data: SessionData): number {
  return byteLengthOf(JSON.stringify(data));
}

/** Whether `bytes` passes `limit` (null or absent: no limit). */
export function overLimit(bytes: number, limit: number | null | undefined): boolean {
  return limit !== null && limit !== undefined && bytes > limit;
}
