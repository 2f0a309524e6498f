/**
 * A throwaway Redis Cluster for tests: `primaries` × (1 + `replicasPerPrimary`) `redis-server` processes on
 * free loopback ports, in a temp dir, without persistence, joined by `redis-cli --cluster create`.
 * `stop()` kills them and removes the dir; an exit hook does the same if the test process ends first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterNodeProcess {
  port: number;
  process: ChildProcess;
  alive: boolean;
}

export interface RedisClusterOptions {
  /** @default 3 */
  primaries?: number;
  /** @default 1 */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout`: how fast a dead primary is noticed and replaced (ms). @default 1000 */
  nodeTimeoutMs?: number;
}

export interface RedisClusterHandle {
  readonly nodes: readonly ClusterNodeProcess[];
  /** `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…` for RedisStore / TESSERA_STORE. */
  readonly url: string;
  /** Runs `redis-cli -p <port> <args…>` and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Port of the primary that currently serves `key`'s slot. */
  primaryFor(key: string): Promise<number>;
  /** Port of a replica of the primary on `primaryPort`. */
  replicaOf(primaryPort: number): Promise<number>;
  /** SIGSTOP / SIGCONT a node: a replica that stops taking the replication stream for a while (lag). */
  pause(port: number): void;
  resume(port: number): void;
  /** SIGKILLs the node on `port` (no goodbye to its peers: a crash). */
  kill(port: number): void;
  /** Waits until the cluster is whole again with a live primary for `key` (after a failover). */
  waitForPrimary(key: string, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    // The cluster bus listens on port + 10000: both must be free.
    if (port + 10000 <= 65535 && (await listenOnce(port + 10000).catch(() => 0)) !== 0) return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicasPerPrimary ?? 1;
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  const killAll = (): void => {
    for (const node of nodes) {
      if (node.alive) node.process.kill('SIGKILL');
      node.alive = false;
    }
  };
  process.once('exit', killAll);

  const cli = async (port: number, ...args: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      timeout: 5000,
    });
    return stdout;
  };

  try {
    const ports: number[] = [];
    while (ports.length < primaries * (1 + replicas)) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeout),
          // A replica may take over however long ago it last heard from its primary.
          '--cluster-replica-validity-factor',
          '0',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--repl-diskless-sync',
          'yes',
          '--repl-diskless-sync-delay',
          '0',
          '--logfile',
          join(dir, `${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      const node: ClusterNodeProcess = { port, process: child, alive: true };
      child.once('exit', () => {
        node.alive = false;
      });
      nodes.push(node);
    }
    for (const port of ports)
      await waitFor(async () => (await cli(port, 'PING').catch(() => '')).includes('PONG'), 10_000);
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await waitFor(async () => {
      for (const port of ports) {
        const info = await cli(port, 'CLUSTER', 'INFO').catch(() => '');
        if (!info.includes('cluster_state:ok')) return false;
        const replication = await cli(port, 'INFO', 'replication').catch(() => '');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up'))
          return false;
      }
      return true;
    }, 30_000);
  } catch (error) {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const livePort = (): number => {
    const node = nodes.find((candidate) => candidate.alive);
    if (node === undefined) throw new Error('no cluster node is alive');
    return node.port;
  };

  const primaryFor = async (key: string): Promise<number> => {
    const port = livePort();
    const slot = Number((await cli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
    const shards = await cli(port, 'CLUSTER', 'NODES');
    for (const line of shards.split('\n')) {
      const fields = line.trim().split(' ');
      if (fields.length < 9 || !fields[2]?.includes('master') || fields[2]?.includes('fail')) continue;
      for (const range of fields.slice(8)) {
        const [low, high] = range.split('-').map(Number);
        if (low !== undefined && slot >= low && slot <= (high ?? low)) {
          return Number((fields[1] ?? '').split(':')[1]?.split('@')[0]);
        }
      }
    }
    throw new Error(`no live primary serves slot ${slot}`);
  };

  return {
    nodes,
    url: `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    cli,
    primaryFor,
    async replicaOf(primaryPort: number): Promise<number> {
      const lines = (await cli(livePort(), 'CLUSTER', 'NODES'))
        .split('\n')
        .map((line) => line.trim().split(' '));
      const primary = lines.find((fields) => fields[1]?.startsWith(`127.0.0.1:${primaryPort}@`));
      const replica = lines.find((fields) => fields[2]?.includes('slave') && fields[3] === primary?.[0]);
      if (replica === undefined) throw new Error(`no replica of ${primaryPort}`);
      return Number((replica[1] ?? '').split(':')[1]?.split('@')[0]);
    },
    pause(port: number): void {
      nodes.find((candidate) => candidate.port === port)?.process.kill('SIGSTOP');
    },
    resume(port: number): void {
      nodes.find((candidate) => candidate.port === port)?.process.kill('SIGCONT');
    },
    kill(port: number): void {
      const node = nodes.find((candidate) => candidate.port === port);
      if (node?.alive) node.process.kill('SIGKILL');
      if (node) node.alive = false;
    },
    async waitForPrimary(key: string, timeoutMs = 20_000): Promise<number> {
      let port = 0;
      await waitFor(async () => {
        const candidate = await primaryFor(key).catch(() => 0);
        if (candidate === 0 || !nodes.some((node) => node.alive && node.port === candidate)) return false;
        const info = await cli(candidate, 'CLUSTER', 'INFO').catch(() => '');
        if (!info.includes('cluster_state:ok')) return false;
        port = candidate;
        return true;
      }, timeoutMs);
      return port;
    },
    async stop(): Promise<void> {
      killAll();
      process.removeListener('exit', killAll);
      await Promise.all(
        nodes.map((node) =>
          node.process.exitCode !== null || node.process.signalCode !== null
            ? Promise.resolve()
            : new Promise<void>((resolve) => node.process.once('exit', () => resolve())),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await delay(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for the Redis cluster`);
}
