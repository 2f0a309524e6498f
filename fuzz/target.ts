/**
 * Starts the real service for one store in a child process and cleans up after it: a temp SQLite file, a
 * PostgreSQL schema of its own (dropped after), or a Redis key prefix of its own (its keys deleted after).
 * The child's error log lines and its exit are watched: an exit before `close()` is a crash.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSchemas } from '../test/support/postgres-schemas.js';
import { deleteKeysWithPrefix } from '../test/support/redis-keys.js';
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../test/support/services.js';

export const STORES = ['memory', 'sqlite', 'postgres', 'redis'] as const;
export type StoreName = (typeof STORES)[number];

export interface Target {
  readonly store: StoreName;
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  /** Where the store lives (file, schema or key prefix), for the report. */
  readonly where: string;
  /** Whether the child is still running. */
  alive(): boolean;
  /** How the child ended, when it did before `close()`. */
  exit(): string | null;
  /** Error-level log lines written since the last call. */
  takeErrors(): string[];
  /** The child's last lines on stderr (a crash's stack). */
  stderr(): string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function startTarget(store: StoreName): Promise<Target> {
  const name = `fuzz_${process.pid}_${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-fuzz-'));
  let storeUrl: string;
  let where: string;
  let cleanup: () => Promise<void> = async () => {};
  switch (store) {
    case 'memory':
      storeUrl = 'memory:';
      where = 'in process';
      break;
    case 'sqlite':
      where = join(dataDir, 'fuzz.sqlite');
      storeUrl = `sqlite:${where}`;
      break;
    case 'postgres':
      if (!(await postgresAvailable())) throw new Error(`PostgreSQL is not reachable at ${POSTGRES_URL}`);
      where = `schema ${name}`;
      storeUrl = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${name}`;
      cleanup = () => dropSchemas(POSTGRES_URL, [name]);
      break;
    case 'redis':
      if (!(await redisAvailable())) throw new Error(`Redis is not reachable at ${REDIS_URL}`);
      where = `key prefix ${name}:`;
      storeUrl = `${REDIS_URL}${REDIS_URL.includes('?') ? '&' : '?'}prefix=${name}:`;
      cleanup = () => deleteKeysWithPrefix(REDIS_URL, `${name}:`);
      break;
  }
  const apiKey = randomBytes(32).toString('base64url');
  const child = fork(join(here, 'service-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      TESSERA_PORT: '0',
      TESSERA_HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_STORE: storeUrl,
      TESSERA_API_KEY: apiKey,
      TESSERA_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const errors: string[] = [];
  let stderr = '';
  let exited: string | null = null;
  let closing = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    exited = `exit ${signal ?? code}`;
  });
  child.on('message', (message: { type?: string; line?: string }) => {
    if (message?.type === 'log' && typeof message.line === 'string') errors.push(message.line.slice(0, 2000));
  });
  const port = await readyPort(child, () => stderr).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await cleanup().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  return {
    store,
    host: '127.0.0.1',
    port,
    apiKey,
    where,
    alive: () => exited === null,
    exit: () => (closing ? null : exited),
    takeErrors: () => errors.splice(0, errors.length),
    stderr: () => stderr,
    async close() {
      closing = true;
      if (exited === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send('close');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await gone;
        clearTimeout(timer);
      }
      await cleanup().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function readyPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the service did not start in 30 s: ${stderr()}`)),
      30_000,
    );
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type === 'ready' && typeof message.port === 'number') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before it listened: ${stderr()}`));
    });
  });
}
