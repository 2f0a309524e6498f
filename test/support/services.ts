/**
 * Real servers for tests: PostgreSQL at 127.0.0.1:5432 (database `test`, user postgres) and Redis at
 * 127.0.0.1:6379, overridable with TESSERA_TEST_POSTGRES_URL / TESSERA_TEST_REDIS_URL.
 *
 * Policy (`requireService`): in CI (`process.env.CI` set) a missing server FAILS the test, because a skipped
 * store suite would hide a broken store; elsewhere the test is skipped with a loud message.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';

export const POSTGRES_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type ServiceName = 'postgres' | 'redis' | 'redis-server';

/** Whether a TCP server answers at host:port within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}

function hostPort(url: string, fallbackPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || fallbackPort) };
}

let postgres: Promise<boolean> | null = null;
let redis: Promise<boolean> | null = null;

export function postgresAvailable(): Promise<boolean> {
  const { host, port } = hostPort(POSTGRES_URL, 5432);
  postgres ??= tcpReachable(host, port);
  return postgres;
}

export function redisAvailable(): Promise<boolean> {
  const { host, port } = hostPort(REDIS_URL, 6379);
  redis ??= tcpReachable(host, port);
  return redis;
}

/** Whether `redis-server` and `redis-cli` binaries are on PATH (for the cluster harness). */
export async function redisBinariesAvailable(): Promise<boolean> {
  const { spawnSync } = await import('node:child_process');
  return ['redis-server', 'redis-cli'].every(
    (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

/**
 * Returns a `skip` value for `describe(name, { skip }, …)`: false when the service is there; in CI a missing
 * service throws (the file fails); elsewhere a loud message and the reason string (the tests are skipped).
 */
export async function requireService(name: ServiceName): Promise<false | string> {
  const available =
    name === 'postgres'
      ? await postgresAvailable()
      : name === 'redis'
        ? await redisAvailable()
        : await redisBinariesAvailable();
  if (available) return false;
  const where = name === 'postgres' ? POSTGRES_URL : name === 'redis' ? REDIS_URL : 'PATH';
  const message = `${name} is not available at ${where}`;
  if (process.env.CI) throw new Error(`${message}: CI requires it (tests may not be skipped)`);
  console.warn(`\n*** SKIPPING ${name} tests: ${message}. Start it to run them (see docs/scale.md). ***\n`);
  return message;
}

/** A name unique to this test file and run: a PostgreSQL schema or a Redis key prefix. */
export function uniqueName(label: string): string {
  return `t_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
