/**
 * Variable-length byte records outside the JavaScript heap, by numeric handle.
 *
 * Why: every young-generation collection (scavenge) of V8 pauses the process for a time that grows with the old
 * generation's regular pages, about 3 µs per MB of them on this project's machine (docs/stores.md). Kept as
 * strings, 10⁶ sessions put about 500 MB there and stretch every scavenge from about 0.4 to 2 ms, which shows as
 * validate p99. The bytes of a `Uint8Array` live in an off-heap backing store that no collection walks (plain
 * typed arrays, no `Buffer`: the memory store runs where Node's APIs do not, in a Worker without `nodejs_compat`).
 *
 * Memory comes in chunks of 64 KiB, each cut into equal cells of one size class (16 bytes apart, up to
 * `MAX_CLASS_BYTES`: a record wastes at most 15 bytes of its cell); a larger record gets a chunk of its own, of
 * its exact size. A handle is the chunk's number × 2^16 + the cell's offset in it, so finding a record is one
 * array read. A freed cell is zeroed at once (records hold secret hashes) and reused before its class grows.
 */

/** The largest record kept in a size class; a larger one gets a chunk of its own. */
export const MAX_CLASS_BYTES = 2048;
const GRAIN = 16;
const CHUNK_BYTES = 2 ** 16;
/** The class of a chunk holding one record of its own size. */
const OWN = -1;

interface SizeClass {
  readonly cellBytes: number;
  /** Freed cells (handles), reused first. */
  readonly free: number[];
  /** The chunk new cells are cut from, or -1 before the first. */
  chunk: number;
  /** Offset of the next new cell in that chunk. */
  next: number;
}

export class ByteSlab {
  readonly #chunks: (Uint8Array | null)[] = [];
  /** Per chunk: the index of its size class, or OWN. */
  readonly #chunkClass: number[] = [];
  /** Numbers of chunks released (own-record chunks), reused first. */
  readonly #freeChunks: number[] = [];
  readonly #classes: SizeClass[] = [];
  #bytes = 0;

  constructor() {
    for (let cls = 0; cls < MAX_CLASS_BYTES / GRAIN; cls += 1) {
      this.#classes.push({ cellBytes: (cls + 1) * GRAIN, free: [], chunk: -1, next: 0 });
    }
  }

  /** Bytes of all chunks (cells in use or free), for diagnostics and the scale bench. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A handle to `length` bytes (zeroes until written). */
  allocate(length: number): number {
    if (length > MAX_CLASS_BYTES) return this.#newChunk(length, OWN) * CHUNK_BYTES;
    const cls = length === 0 ? 0 : Math.ceil(length / GRAIN) - 1;
    const sizeClass = this.#classes[cls] as SizeClass;
    const reused = sizeClass.free.pop();
    if (reused !== undefined) return reused;
    if (sizeClass.chunk === -1 || sizeClass.next + sizeClass.cellBytes > CHUNK_BYTES) {
      sizeClass.chunk = this.#newChunk(CHUNK_BYTES, cls);
      sizeClass.next = 0;
    }
    const handle = sizeClass.chunk * CHUNK_BYTES + sizeClass.next;
    sizeClass.next += sizeClass.cellBytes;
    return handle;
  }

  /** Zeroes a record's bytes and frees its cell. The handle must not be used again. */
  release(handle: number): void {
    const chunk = Math.floor(handle / CHUNK_BYTES);
    const buffer = this.#chunks[chunk];
    if (buffer === null || buffer === undefined) return;
    const cls = this.#chunkClass[chunk] as number;
    if (cls === OWN) {
      buffer.fill(0);
      this.#bytes -= buffer.length;
      this.#chunks[chunk] = null;
      this.#freeChunks.push(chunk);
      return;
    }
    const sizeClass = this.#classes[cls] as SizeClass;
    const offset = handle - chunk * CHUNK_BYTES;
    buffer.fill(0, offset, offset + sizeClass.cellBytes);
    sizeClass.free.push(handle);
  }

  /** The chunk a record is in (shared with other records: start at `offsetOf`). */
  bufferOf(handle: number): Uint8Array {
    return this.#chunks[Math.floor(handle / CHUNK_BYTES)] as Uint8Array;
  }

  /** Where a record starts in `bufferOf(handle)`. */
  offsetOf(handle: number): number {
    return handle % CHUNK_BYTES;
  }

  /** Zeroes and releases every record and the memory behind them. */
  clear(): void {
    for (const chunk of this.#chunks) chunk?.fill(0);
    this.#chunks.length = 0;
    this.#chunkClass.length = 0;
    this.#freeChunks.length = 0;
    for (const sizeClass of this.#classes) {
      sizeClass.free.length = 0;
      sizeClass.chunk = -1;
      sizeClass.next = 0;
    }
    this.#bytes = 0;
  }

  #newChunk(bytes: number, cls: number): number {
    const chunk = this.#freeChunks.pop() ?? this.#chunks.length;
    this.#chunks[chunk] = new Uint8Array(bytes);
    this.#chunkClass[chunk] = cls;
    this.#bytes += bytes;
    return chunk;
  }
}
