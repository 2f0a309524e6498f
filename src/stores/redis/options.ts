import type { Clock } from '../../core/clock.js';
import type { RedisTarget } from './client.js';
import type { ConnectionSettings, ReplicaAcknowledgement } from './connection.js';

export interface RedisStoreOptions {
  /**
   * `redis://host:port/db`, `rediss://…`, `redis-cluster://host:port,host:port` (cluster seed nodes),
   * or an ioredis `Redis` / `Cluster` you created (you close it). A client you pass should have
   * `enableOfflineQueue: false` and a `commandTimeout`, or a dead server makes requests wait.
   */
  connection: RedisTarget;
  /**
   * Prefix of every key, so several apps (or test runs) share one server. Must not contain braces.
   * @default 'tessera:'
   */
  prefix?: string;
  /**
   * Key for the HMAC that maps a subject to its 4-character shard (which appears in public session ids).
   * Without it a plain SHA-256 is used. Every node must use the same value.
   * @default null
   */
  shardKey?: string | null;
  /**
   * How long an expired session is kept before Redis drops it (ms), so its token is answered "expired"
   * rather than "invalid". Match the manager's `expiredRetention`.
   * @default 600000
   */
  retentionMs?: number;
  /** Longest a command may take before it fails with StoreUnavailableError (ms). @default 2000 */
  commandTimeoutMs?: number;
  /** Longest wait for a connection (ms). @default 2000 */
  connectTimeoutMs?: number;
  /**
   * Durability: after every write, `WAIT` until this many replicas hold it; a write that is not acknowledged
   * in time fails with StoreUnavailableError, so an acknowledged revoke or create survives a failover.
   * @default null (asynchronous replication, as Redis does by default)
   */
  waitForReplicas?: ReplicaAcknowledgement | null;
  /** Clock for key lifetimes where the caller passes no time (refresh families). @default Date.now */
  clock?: Clock;
}

/** The timing and durability options with their defaults applied, checked. */
export interface StoreSettings extends ConnectionSettings {
  retentionMs: number;
}

/** Checks the numbers and `waitForReplicas` (a `TypeError` naming the option on a bad value). */
export function resolveSettings(options: RedisStoreOptions): StoreSettings {
  const commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs, 2000);
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 2000);
  const retentionMs = positive('retentionMs', options.retentionMs, 600_000, true);
  const waitForReplicas = options.waitForReplicas ?? null;
  if (waitForReplicas !== null) {
    const { replicas, timeoutMs } = waitForReplicas;
    if (!Number.isInteger(replicas) || replicas < 1)
      throw new TypeError('tessera: waitForReplicas.replicas must be >= 1');
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs >= commandTimeoutMs) {
      throw new TypeError(
        'tessera: waitForReplicas.timeoutMs must be a positive integer below commandTimeoutMs',
      );
    }
  }
  return { commandTimeoutMs, connectTimeoutMs, retentionMs, waitForReplicas };
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`tessera: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of ms`);
  }
  return value;
}
