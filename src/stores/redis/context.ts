import type { Clock } from '../../core/clock.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './keys.js';

/** What the store's parts (sessions, sweeps, families, not-before) share. */
export interface RedisContext {
  readonly redis: RedisConnection;
  readonly keys: KeyLayout;
  /** How long an expired entry is kept before Redis drops it (ms). */
  readonly retention: number;
  /** Clock for key lifetimes where the caller passes no time. */
  readonly clock: Clock;
}
