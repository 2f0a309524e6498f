import { createHash } from 'node:crypto';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { StoreUnavailableError } from '../../core/errors.js';
import { loadDriver } from '../shared/driver.js';

/** What a RedisStore talks to: a URL, or a client you created (and keep owning). */
export type RedisTarget = string | Redis | Cluster;
export type RedisClient = Redis | Cluster;

export interface ClientTimeouts {
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * Opens a client for a URL: `redis://` / `rediss://` (standalone) or `redis-cluster://host:port,host:port`
 * (seed nodes of a cluster; `rediss-cluster://` for TLS). The offline queue is off and every command has a
 * timeout, so a dead server answers fast with an error instead of queueing requests forever.
 */
export function openClient(url: string, timeouts: ClientTimeouts): RedisClient {
  // Only a store that opens its own client needs the driver loaded; a caller's client brings its own.
  const ioredis = loadDriver<typeof import('ioredis')>('ioredis', 'Redis store');
  const common: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeouts.commandTimeoutMs,
    connectTimeout: timeouts.connectTimeoutMs,
    retryStrategy: (times: number): number => Math.min(50 * times, 1000),
    enableAutoPipelining: true,
  };
  const cluster = /^(rediss?)-cluster:\/\//.exec(url);
  if (cluster === null) {
    if (!/^rediss?:\/\//.test(url))
      throw new TypeError('tessera: a Redis URL starts with redis://, rediss:// or redis-cluster://');
    return new ioredis.Redis(url, common);
  }
  const parsed = new URL(url.replace(/^rediss?-cluster:/, 'redis:').replace(/,.*$/, ''));
  const hosts = url
    .slice(cluster[0].length)
    .replace(/^[^@/]*@/, '')
    .replace(/\/.*$/, '')
    .split(',')
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.lastIndexOf(':');
      return at < 0
        ? { host: part, port: 6379 }
        : { host: part.slice(0, at), port: Number(part.slice(at + 1)) };
    });
  if (hosts.length === 0) throw new TypeError('tessera: redis-cluster:// needs at least one host:port');
  const { retryStrategy: _unused, enableOfflineQueue: _offline, ...nodeOptions } = common;
  return new ioredis.Cluster(hosts, {
    enableOfflineQueue: false,
    scaleReads: 'master',
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    slotsRefreshTimeout: timeouts.connectTimeoutMs,
    clusterRetryStrategy: (times: number): number => Math.min(100 * times, 1000),
    redisOptions: {
      ...nodeOptions,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...(cluster[1] === 'rediss' ? { tls: {} } : {}),
    },
  });
}

/** A Lua script run by EVALSHA, falling back to EVAL when the server has not cached it (NOSCRIPT). */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Connection faults, timeouts and server errors become StoreUnavailableError (fail closed: 503). */
export function unavailable(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`redis store failed during ${operation}`, { cause: error });
}
