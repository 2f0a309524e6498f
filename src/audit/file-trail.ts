import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { TesseraEvent, TesseraEventListener } from '../core/events.js';
import { formatLine, lineHash } from './chain.js';
import { type AuditEntry, toAuditEntry, trailEntry } from './record.js';
import { readChainTail } from './tail.js';

export interface FileAuditTrailOptions {
  /** The JSON Lines file. Created with mode 0600 (its folder with 0700) if missing; appended to otherwise. */
  path: string;
  /**
   * Pseudonymisation key: when set, records carry `subjectHmac` (HMAC-SHA256 of the subject) instead of the
   * subject. Use at least 32 random bytes; `undefined` (an unset environment variable) is the default.
   * @default null (subjects written as they are)
   */
  key?: string | Uint8Array | null | undefined;
  /**
   * Told about open and write failures: once when a failure starts (not for every failed batch; the counts are
   * in `stats()`). Never called in the request path, never with a token. @default process.emitWarning
   */
  onError?: (error: Error) => void;
  /**
   * Most records waiting for the disk. When full, new records are dropped and counted (`stats().dropped`)
   * rather than blocking or growing memory; the trail later writes an `audit-dropped` record saying how many.
   * @default 10000
   */
  maxQueue?: number;
  /** Most records per write. @default 1000 */
  maxBatch?: number;
  /** `fdatasync` after every batch, so an acknowledged batch survives a power cut. @default true */
  fsync?: boolean;
  /** Time for the trail's own records (`audit-dropped`, `audit-recovered`). @default Date.now */
  clock?: Clock;
}

export interface AuditTrailStats {
  /** Records written to the file. */
  readonly written: number;
  /** Records dropped because the queue was full (or the trail closed). */
  readonly dropped: number;
  /** Records lost because a write failed. */
  readonly failed: number;
  /** Failed opens and writes. */
  readonly writeErrors: number;
  /** Records waiting now. */
  readonly queued: number;
}

export interface FileAuditTrail {
  readonly path: string;
  /** Subscribe it with `manager.on('*', trail.listener)`. It only queues: it never blocks and never throws. */
  readonly listener: TesseraEventListener;
  /** Resolves once the first open finished: null when the file is ready, else the error (also sent to `onError`). */
  readonly ready: Promise<Error | null>;
  stats(): AuditTrailStats;
  /** Resolves when every record queued so far was written (or counted as failed). */
  flush(): Promise<void>;
  /** Writes what is queued, then closes the file. Records that arrive later are dropped. */
  close(): Promise<void>;
}

// O_APPEND: every write lands at the end, whoever else holds the file. O_NOFOLLOW: a symlink planted at the
// path cannot redirect the trail onto another file.
const FLAGS = constants.O_APPEND | constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW;

/** An append-only, hash-chained JSON Lines audit trail for engine events. See docs/audit.md. */
export function createFileAuditTrail(options: FileAuditTrailOptions): FileAuditTrail {
  return new FileTrail(options);
}

interface Tail {
  hash: string;
  seq: number;
}

class FileTrail implements FileAuditTrail {
  readonly path: string;
  readonly ready: Promise<Error | null>;
  readonly #key: string | Uint8Array | null;
  readonly #onError: (error: Error) => void;
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  readonly #fsync: boolean;
  readonly #clock: Clock;
  #queue: AuditEntry[] = [];
  #handle: FileHandle | null = null;
  /** Null when the end of the file is unknown (not opened yet, or after a failed write). */
  #tail: Tail | null = null;
  #draining: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Records lost since the last good write: announced by an `audit-dropped` record. */
  #lost = 0;
  #failing = false;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #writeErrors = 0;

  constructor(options: FileAuditTrailOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw new TypeError('tessera: audit trail path must be a non-empty string');
    }
    this.path = resolve(options.path);
    this.#key = options.key ?? null;
    if (this.#key !== null && this.#key.length === 0)
      throw new TypeError('tessera: audit key must not be empty');
    this.#onError =
      options.onError ?? ((error) => process.emitWarning(`tessera audit trail: ${error.message}`));
    this.#maxQueue = positive(options.maxQueue, 10_000, 'maxQueue');
    this.#maxBatch = positive(options.maxBatch, 1000, 'maxBatch');
    this.#fsync = options.fsync ?? true;
    this.#clock = options.clock ?? Date.now;
    this.ready = this.#open().then(
      () => null,
      (error: unknown) => this.#fail(error),
    );
  }

  readonly listener = (event: TesseraEvent): void => {
    try {
      if (this.#closing !== null || this.#queue.length >= this.#maxQueue) {
        this.#dropped += 1;
        this.#lost += 1;
        return;
      }
      this.#queue.push(toAuditEntry(event, this.#key));
      this.#schedule();
    } catch (error) {
      this.#report(error);
    }
  };

  stats(): AuditTrailStats {
    return {
      written: this.#written,
      dropped: this.#dropped,
      failed: this.#failed,
      writeErrors: this.#writeErrors,
      queued: this.#queue.length,
    };
  }

  async flush(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush();
      // Say in the file itself that records were lost, if the disk lets us.
      if (this.#lost > 0) await this.#writeBatch([]);
      const handle = this.#handle;
      this.#handle = null;
      await handle?.close().catch(() => undefined);
    })();
    return this.#closing;
  }

  #schedule(): void {
    if (this.#draining !== null) return;
    // setImmediate: every event of the current turn goes into one write.
    this.#draining = new Promise<void>((done) => setImmediate(done))
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = null;
        if (this.#queue.length > 0) this.#schedule();
      });
  }

  async #drain(): Promise<void> {
    await this.ready;
    while (this.#queue.length > 0) await this.#writeBatch(this.#queue.splice(0, this.#maxBatch));
  }

  /** Writes one batch after any notes the trail owes; on failure counts it lost and re-reads the tail next time. */
  async #writeBatch(batch: AuditEntry[]): Promise<void> {
    const lostBefore = this.#lost;
    try {
      if (this.#handle === null) await this.#open();
      const handle = this.#handle as unknown as FileHandle;
      let prefix = '';
      const entries: AuditEntry[] = [];
      if (this.#tail === null) {
        const tail = await readChainTail(handle);
        this.#tail = { hash: tail.hash, seq: tail.seq };
        if (tail.tornBytes > 0) {
          // A crash or failed write left half a line: end it, and record that we did so the verifier can tell
          // a torn write (followed by this record, chained to the line before it) from an edit.
          prefix = '\n';
          entries.push(trailEntry('audit-recovered', this.#clock(), { tornBytes: tail.tornBytes }));
        }
      }
      if (lostBefore > 0) entries.push(trailEntry('audit-dropped', this.#clock(), { count: lostBefore }));
      entries.push(...batch);
      if (entries.length === 0) return;
      let { hash, seq } = this.#tail;
      let text = prefix;
      for (const entry of entries) {
        seq += 1;
        const line = formatLine(entry, seq, hash);
        hash = lineHash(line);
        text += `${line}\n`;
      }
      await writeAll(handle, Buffer.from(text, 'utf8'));
      if (this.#fsync) await handle.datasync();
      this.#tail = { hash, seq };
      this.#written += batch.length;
      this.#lost -= lostBefore;
      this.#failing = false;
    } catch (error) {
      this.#failed += batch.length;
      this.#lost += batch.length;
      this.#tail = null;
      // Reopen next time: the descriptor may be what broke (EBADF, a replaced file system).
      const handle = this.#handle;
      this.#handle = null;
      await handle?.close().catch(() => undefined);
      this.#fail(error);
    }
  }

  async #open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const handle = await open(this.path, FLAGS, 0o600);
    try {
      const info = await handle.stat();
      // The mode above applies only on creation; tighten a trail someone left readable by others.
      if (info.isFile() && (info.mode & 0o077) !== 0) await handle.chmod(0o600);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.#handle = handle;
  }

  #fail(error: unknown): Error {
    this.#writeErrors += 1;
    const failure = error instanceof Error ? error : new Error(String(error));
    if (!this.#failing) {
      this.#failing = true;
      this.#report(failure);
    }
    return failure;
  }

  #report(error: unknown): void {
    try {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The error callback itself failed: nothing more we can safely do off the request path.
    }
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    if (bytesWritten <= 0) throw new Error('audit trail write made no progress');
    offset += bytesWritten;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`tessera: ${name} must be a positive integer`);
  return value;
}
