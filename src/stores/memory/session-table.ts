import type { SessionData, SessionRecord } from '../../core/session.js';
import type { BrowsedFields } from '../shared/browse.js';
import { ByteSlab } from './byte-slab.js';
import { readTextRecord, writeTextRecord } from './text-record.js';

// The numeric fields of a session, one float64 column each (null is NaN: no real time or count is NaN).
const CREATED = 0;
const LAST_SEEN = 1;
const IDLE_EXPIRES = 2;
const ABSOLUTE_EXPIRES = 3;
const ROTATED = 4;
const PREVIOUS_VALID_UNTIL = 5;
const LEVEL_AT = 6;
const LEVEL = 7;
const VERSION = 8;
/** When the expiry queue will next look at the session (its one queue entry), or NaN when it has none. */
const QUEUED = 9;
/** The handle of the session's text record in the `ByteSlab` (TEXT_* fields). */
const TEXT = 10;
const COLUMNS = 11;

// The fields of a session's text record, in order.
const TEXT_HASH = 0;
const TEXT_PREVIOUS_HASH = 1;
const TEXT_IP = 2;
const TEXT_AGENT = 3;
const TEXT_DATA = 4;
/** Where `read` decodes a text record (reads are synchronous: one buffer serves every table). */
const scratchTexts: (string | null)[] = [null, null, null, null, null];

const INITIAL_SLOTS = 1024;

/**
 * The same text as one flat string. Ids and subjects are often built by concatenation, and `JSON.stringify`
 * builds its result from parts: V8 keeps such text as a tree of "cons" strings (32 bytes per node, plus the
 * parts). A JSON round trip is exact for every string, lone surrogates included, and parses into one flat string.
 */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function orNaN(value: number | null): number {
  return value === null ? Number.NaN : value;
}

/**
 * The memory store's sessions in columns: one slot per session, its numbers in one `Float64Array` (8 bytes each,
 * where a field of an object would hold a 12-byte heap number), its id and subject as strings (the keys of the
 * store's maps), and its other text (secret hashes, IP, User-Agent, and the data as the JSON every other store
 * keeps too) as one UTF-8 record in a `ByteSlab`, off the JavaScript heap, so that the garbage collector's pauses
 * do not grow with the number of sessions (docs/stores.md). A session costs its id, its subject and about 400
 * bytes with a 188-byte data payload; an object per session with a frozen copy of its data cost about 1.2 KB.
 * Reads build a fresh `SessionRecord`, so nothing a caller holds can change what is stored.
 */
export class SessionTable {
  readonly #slots = new Map<string, number>();
  readonly #free: number[] = [];
  #capacity = 0;
  #numbers = new Float64Array(0);
  #ids: (string | null)[] = [];
  #subjects: string[] = [];
  readonly #texts = new ByteSlab();

  get size(): number {
    return this.#slots.size;
  }

  /** Bytes of the off-heap text records (chunks in use or free). */
  get textBytes(): number {
    return this.#texts.bytes;
  }

  /** The slot of a session, or -1. Slots are reused after `remove`: do not keep one across an await. */
  slotOf(id: string): number {
    return this.#slots.get(id) ?? -1;
  }

  /**
   * Stores a new session (the id must be new) and returns its slot. `subject` is the (flat) subject string to
   * keep, shared with the store's subject index.
   */
  insert(record: SessionRecord, subject: string): number {
    // First, so that text the slab refuses (a RangeError) leaves the table as it was.
    const text = writeTextRecord(this.#texts, [
      record.secretHash,
      record.previousSecretHash,
      record.ip,
      record.userAgent,
      JSON.stringify(record.data),
    ]);
    const slot = this.#free.pop() ?? this.#grow();
    const id = flatString(record.id);
    this.#slots.set(id, slot);
    this.#ids[slot] = id;
    this.#subjects[slot] = subject;
    const base = slot * COLUMNS;
    const numbers = this.#numbers;
    numbers[base + CREATED] = record.createdAt;
    numbers[base + LAST_SEEN] = record.lastSeenAt;
    numbers[base + IDLE_EXPIRES] = record.idleExpiresAt;
    numbers[base + ABSOLUTE_EXPIRES] = record.absoluteExpiresAt;
    numbers[base + ROTATED] = orNaN(record.rotatedAt);
    numbers[base + PREVIOUS_VALID_UNTIL] = orNaN(record.previousSecretValidUntil);
    numbers[base + LEVEL_AT] = orNaN(record.levelAt);
    numbers[base + LEVEL] = record.level;
    numbers[base + VERSION] = record.version;
    numbers[base + QUEUED] = Number.NaN;
    numbers[base + TEXT] = text;
    return slot;
  }

  /** Frees a session's slot; its strings are released at once. */
  remove(slot: number): void {
    const id = this.#ids[slot];
    if (id === null || id === undefined) return;
    this.#slots.delete(id);
    this.#ids[slot] = null;
    this.#subjects[slot] = '';
    this.#texts.release(this.#numbers[slot * COLUMNS + TEXT] as number);
    this.#free.push(slot);
  }

  /** Removes every session (and zeroes their text). */
  clear(): void {
    for (const slot of this.#slots.values()) this.remove(slot);
    this.#texts.clear();
  }

  /** A fresh copy of the session in a slot. */
  read(slot: number): SessionRecord {
    const base = slot * COLUMNS;
    const numbers = this.#numbers;
    const texts = scratchTexts;
    readTextRecord(this.#texts, numbers[base + TEXT] as number, texts);
    return {
      id: this.#ids[slot] as string,
      subject: this.#subjects[slot] as string,
      secretHash: texts[TEXT_HASH] as string,
      previousSecretHash: texts[TEXT_PREVIOUS_HASH] ?? null,
      previousSecretValidUntil: orNull(numbers[base + PREVIOUS_VALID_UNTIL] as number),
      data: JSON.parse(texts[TEXT_DATA] as string) as SessionData,
      version: numbers[base + VERSION] as number,
      level: numbers[base + LEVEL] as number,
      levelAt: orNull(numbers[base + LEVEL_AT] as number),
      createdAt: numbers[base + CREATED] as number,
      lastSeenAt: numbers[base + LAST_SEEN] as number,
      rotatedAt: orNull(numbers[base + ROTATED] as number),
      idleExpiresAt: numbers[base + IDLE_EXPIRES] as number,
      absoluteExpiresAt: numbers[base + ABSOLUTE_EXPIRES] as number,
      ip: texts[TEXT_IP] ?? null,
      userAgent: texts[TEXT_AGENT] ?? null,
    };
  }

  /** Every live slot, in insertion order of the ids. */
  slots(): IterableIterator<number> {
    return this.#slots.values();
  }

  /** The fields a browse sorts and filters on (no data parsed), with the slot. */
  browsedFieldsOf(slot: number): BrowsedFields & { readonly slot: number } {
    const base = slot * COLUMNS;
    const numbers = this.#numbers;
    return {
      slot,
      id: this.#ids[slot] as string,
      createdAt: numbers[base + CREATED] as number,
      lastSeenAt: numbers[base + LAST_SEEN] as number,
      idleExpiresAt: numbers[base + IDLE_EXPIRES] as number,
      absoluteExpiresAt: numbers[base + ABSOLUTE_EXPIRES] as number,
      ip: this.#textOf(slot, TEXT_IP),
    };
  }

  idOf(slot: number): string {
    return this.#ids[slot] as string;
  }

  subjectOf(slot: number): string {
    return this.#subjects[slot] as string;
  }

  secretHashOf(slot: number): string {
    return this.#textOf(slot, TEXT_HASH) as string;
  }

  createdAtOf(slot: number): number {
    return this.#numbers[slot * COLUMNS + CREATED] as number;
  }

  versionOf(slot: number): number {
    return this.#numbers[slot * COLUMNS + VERSION] as number;
  }

  /** The earlier of the idle and absolute expiry. */
  expiresAtOf(slot: number): number {
    const base = slot * COLUMNS;
    return Math.min(
      this.#numbers[base + IDLE_EXPIRES] as number,
      this.#numbers[base + ABSOLUTE_EXPIRES] as number,
    );
  }

  absoluteExpiresAtOf(slot: number): number {
    return this.#numbers[slot * COLUMNS + ABSOLUTE_EXPIRES] as number;
  }

  /** The session's data, parsed afresh. */
  dataOf(slot: number): SessionData {
    return JSON.parse(this.#textOf(slot, TEXT_DATA) as string) as SessionData;
  }

  /** The time of the session's one expiry-queue entry, or NaN. */
  queuedAtOf(slot: number): number {
    return this.#numbers[slot * COLUMNS + QUEUED] as number;
  }

  setQueuedAt(slot: number, time: number): void {
    this.#numbers[slot * COLUMNS + QUEUED] = time;
  }

  setActivity(slot: number, lastSeenAt: number, idleExpiresAt: number): void {
    const base = slot * COLUMNS;
    this.#numbers[base + LAST_SEEN] = lastSeenAt;
    this.#numbers[base + IDLE_EXPIRES] = idleExpiresAt;
  }

  setAbsoluteExpiresAt(slot: number, absoluteExpiresAt: number): void {
    this.#numbers[slot * COLUMNS + ABSOLUTE_EXPIRES] = absoluteExpiresAt;
  }

  setSecret(
    slot: number,
    secretHash: string,
    previousSecretHash: string | null,
    previousSecretValidUntil: number | null,
    rotatedAt: number | null,
  ): void {
    const base = slot * COLUMNS;
    this.#rewriteTexts(slot, secretHash, previousSecretHash, this.#textOf(slot, TEXT_DATA) as string);
    this.#numbers[base + PREVIOUS_VALID_UNTIL] = orNaN(previousSecretValidUntil);
    this.#numbers[base + ROTATED] = orNaN(rotatedAt);
  }

  setLevel(slot: number, level: number, levelAt: number | null): void {
    const base = slot * COLUMNS;
    this.#numbers[base + LEVEL] = level;
    this.#numbers[base + LEVEL_AT] = orNaN(levelAt);
  }

  /** Replaces the data (stored as its JSON) and counts the version up. */
  setData(slot: number, data: SessionData): void {
    this.#rewriteTexts(
      slot,
      this.#textOf(slot, TEXT_HASH) as string,
      this.#textOf(slot, TEXT_PREVIOUS_HASH),
      JSON.stringify(data),
    );
    this.#numbers[slot * COLUMNS + VERSION] = (this.#numbers[slot * COLUMNS + VERSION] as number) + 1;
  }

  #textOf(slot: number, field: number): string | null {
    readTextRecord(this.#texts, this.#numbers[slot * COLUMNS + TEXT] as number, scratchTexts);
    return scratchTexts[field] ?? null;
  }

  /** Replaces a session's text record (the IP and User-Agent kept) and frees the old one. */
  #rewriteTexts(slot: number, secretHash: string, previousSecretHash: string | null, dataJson: string): void {
    const ip = this.#textOf(slot, TEXT_IP);
    const userAgent = this.#textOf(slot, TEXT_AGENT);
    const index = slot * COLUMNS + TEXT;
    const old = this.#numbers[index] as number;
    this.#numbers[index] = writeTextRecord(this.#texts, [
      secretHash,
      previousSecretHash,
      ip,
      userAgent,
      dataJson,
    ]);
    this.#texts.release(old);
  }

  /** A new slot at the end, growing the columns by half when full. */
  #grow(): number {
    const slot = this.#ids.length;
    if (slot >= this.#capacity) {
      const capacity = Math.max(INITIAL_SLOTS, Math.ceil(this.#capacity * 1.5));
      const numbers = new Float64Array(capacity * COLUMNS);
      numbers.set(this.#numbers);
      this.#numbers = numbers;
      this.#capacity = capacity;
    }
    this.#ids.push(null);
    this.#subjects.push('');
    return slot;
  }
}
