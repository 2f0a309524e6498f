/**
 * A uniform sample of the sessions a fill created, without the filling process holding any of them (a token
 * kept in the memory store's process would count as session bytes). Reservoir sampling (Vitter's algorithm R)
 * split in two: the worker decides, for each session it creates, which slot of the sample it replaces, if any,
 * and sends only those; the parent keeps the slots.
 */

/** A random integer in [0, bound), injected so the choice can be replayed. */
export type RandomIndex = (bound: number) => number;

export const mathRandomIndex: RandomIndex = (bound) => Math.floor(Math.random() * bound);

/**
 * The slot the `index`-th item (0-based, counted over every fill of the store) takes in a sample of `size`,
 * or -1 when it is not sampled. Every item ends up in the sample with probability size / (index + 1).
 */
export function reservoirSlot(index: number, size: number, random: RandomIndex = mathRandomIndex): number {
  if (index < size) return index;
  const pick = random(index + 1);
  return pick < size ? pick : -1;
}

/** The parent's side: the sample itself. */
export class Reservoir {
  readonly #slots: string[] = [];

  /** Applies the worker's `[slot, token]` choices, in the order it made them. */
  apply(choices: readonly (readonly [number, string])[]): void {
    for (const [slot, token] of choices) this.#slots[slot] = token;
  }

  /** The sampled tokens (a copy). */
  tokens(): string[] {
    return this.#slots.filter((token) => token !== undefined);
  }
}
