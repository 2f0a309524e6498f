/** A binary min-heap of (time, key) entries, for expiry without scanning every entry. */
export class MinHeap {
  readonly #times: number[] = [];
  readonly #keys: string[] = [];

  get size(): number {
    return this.#times.length;
  }

  push(time: number, key: string): void {
    const times = this.#times;
    const keys = this.#keys;
    let index = times.length;
    times.push(time);
    keys.push(key);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((times[parent] as number) <= time) break;
      times[index] = times[parent] as number;
      keys[index] = keys[parent] as string;
      index = parent;
    }
    times[index] = time;
    keys[index] = key;
  }

  /** The earliest time, or Infinity when empty. */
  peekTime(): number {
    return this.#times.length === 0 ? Number.POSITIVE_INFINITY : (this.#times[0] as number);
  }

  pop(): { time: number; key: string } | undefined {
    const times = this.#times;
    const keys = this.#keys;
    if (times.length === 0) return undefined;
    const top = { time: times[0] as number, key: keys[0] as string };
    const lastTime = times.pop() as number;
    const lastKey = keys.pop() as string;
    const size = times.length;
    if (size > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (times[right] as number) < (times[left] as number) ? right : left;
        if ((times[child] as number) >= lastTime) break;
        times[index] = times[child] as number;
        keys[index] = keys[child] as string;
        index = child;
      }
      times[index] = lastTime;
      keys[index] = lastKey;
    }
    return top;
  }
}
