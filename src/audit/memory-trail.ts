import type { TesseraEvent, TesseraEventListener } from '../core/events.js';
import { type AuditRecord, toAuditEntry } from './record.js';

export interface MemoryAuditTrailOptions {
  /** How many records to keep; the oldest go first. @default 1000 */
  capacity?: number;
  /** Pseudonymisation key, as for the file trail. @default null */
  key?: string | Uint8Array | null;
}

export interface MemoryAuditTrail {
  /** Subscribe it with `manager.on('*', trail.listener)`. */
  readonly listener: TesseraEventListener;
  /** The kept records, oldest first (`seq` counts every record ever seen, so a gap shows evictions). */
  records(): AuditRecord[];
  /** Records pushed out because the buffer was full. */
  readonly evicted: number;
  clear(): void;
}

/**
 * A fixed-size ring buffer of recent audit records, in memory: for tests and an operator's "recent events"
 * view. Same record shape and scrubbing as the file trail, without the chain. Constant memory.
 */
export function createMemoryAuditTrail(options: MemoryAuditTrailOptions = {}): MemoryAuditTrail {
  const capacity = options.capacity ?? 1000;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new TypeError('tessera: capacity must be a positive integer');
  }
  const key = options.key ?? null;
  const ring: (AuditRecord | undefined)[] = new Array(capacity);
  let next = 0;
  let size = 0;
  let seq = 0;
  let evicted = 0;
  return {
    listener(event: TesseraEvent): void {
      seq += 1;
      const { v, ...rest } = toAuditEntry(event, key);
      ring[next] = { v, seq, ...rest };
      next = (next + 1) % capacity;
      if (size < capacity) size += 1;
      else evicted += 1;
    },
    records(): AuditRecord[] {
      const out: AuditRecord[] = [];
      for (let i = 0; i < size; i++) out.push(ring[(next - size + i + capacity) % capacity] as AuditRecord);
      return out;
    },
    get evicted(): number {
      return evicted;
    },
    clear(): void {
      ring.fill(undefined);
      next = 0;
      size = 0;
    },
  };
}
