/**
 * The bench's side of a store worker (server.ts): forks it, waits for its port, and offers it as a
 * `RunningServer` (so bench/lib/slices.ts can load it like any bench server) plus `call`, one request and its
 * reply over IPC (protocol.ts).
 * Example:
 *   const worker = await startWorker('memory', config, ['--max-old-space-size=8192']);
 *   const filled = await worker.call({ op: 'fill', target: 10_000, reservoir: 10_000, concurrency: 64 });
 *   await worker.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { askCpuMicros, type RunningServer } from '../lib/http-target.js';
import { isRpcAnswer, type WorkerConfig, type WorkerOps } from './protocol.js';

export interface ScaleWorker extends RunningServer {
  call<Op extends keyof WorkerOps>(
    request: WorkerOps[Op]['request'] & { op: Op },
  ): Promise<WorkerOps[Op]['reply']>;
}

const serverFile = new URL('./server.ts', import.meta.url);

/** Waits for the `{ port }` every bench server sends once it listens (bench/servers/listen.ts). */
function portOf(name: string, child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no port after 60 s`)), 60_000);
    const onMessage = (message: unknown): void => {
      const port = (message as { port?: unknown }).port;
      if (typeof port !== 'number') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(port);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before listening`));
    });
  });
}

/** Forks the worker for `config` (with tsx, like this process, and `execArgv` added) and waits for its port. */
export async function startWorker(
  name: string,
  config: WorkerConfig,
  execArgv: string[] = [],
): Promise<ScaleWorker> {
  const child = fork(serverFile.pathname, [JSON.stringify(config)], {
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  child.on('message', (message: unknown) => {
    if (!isRpcAnswer(message)) return;
    const waiter = pending.get(message.rpc);
    if (waiter === undefined) return;
    pending.delete(message.rpc);
    if ('error' in message) waiter.reject(new Error(`${name}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name}: exited (${code ?? signal})`));
    pending.clear();
  });
  const port = await portOf(name, child);
  return {
    name,
    port,
    pid: child.pid ?? -1,
    call<Op extends keyof WorkerOps>(
      request: WorkerOps[Op]['request'] & { op: Op },
    ): Promise<WorkerOps[Op]['reply']> {
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) return reject(new Error(`${name}: not running`));
        const rpc = next;
        next += 1;
        pending.set(rpc, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ rpc, request });
      });
    },
    cpuMicros: () => askCpuMicros(name, child),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The worker cleans up (closes the store, drops its schema or keys) and exits when the channel closes.
        if (child.connected) child.disconnect();
        else child.kill('SIGTERM');
      }),
  };
}
