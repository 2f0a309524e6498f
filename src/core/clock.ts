/** Returns the current time in milliseconds since the Unix epoch. Injected so tests move time without sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock for tests: starts at `start` and only moves when told to. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** Sets the clock to an absolute time in milliseconds. */
  set(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start;
  const clock = (() => now) as ManualClock;
  clock.advance = (ms: number): void => {
    now += ms;
  };
  clock.set = (ms: number): void => {
    now = ms;
  };
  return clock;
}
