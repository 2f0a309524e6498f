/**
 * HTTP bench plumbing: start a bench server in its own process, log in to get a session cookie, check the
 * server really answers 200 with it (and 401 without it), and drive load with autocannon.
 *
 * A server file (see bench/servers/listen.ts) listens on 127.0.0.1:0 and sends `{ port }` over IPC.
 * Example:
 *   const server = await startServer('floor', new URL('../servers/floor.ts', import.meta.url));
 *   const cookie = await login(server.port);
 *   const result = await load(server.port, cookie, 5);
 *   await server.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';

export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const root = new URL('../../', import.meta.url).pathname;

/** Where CPU profiles go (BENCH_PROFILE=<name>[,<name>] turns on `--cpu-prof` for those servers). */
export const profileDir = join(root, 'bench-results', 'profiles');

function profiled(name: string): boolean {
  const wanted = (process.env.BENCH_PROFILE ?? '').split(',').map((part) => part.trim());
  return wanted.includes(name) || wanted.includes('all');
}

/** Forks `file` (with tsx, like the parent) and waits for the port it reports. */
export async function startServer(name: string, file: URL, args: string[] = []): Promise<RunningServer> {
  const execArgv = [...process.execArgv];
  if (profiled(name)) {
    // One folder per run: node writes a profile per thread (tsx's loader thread too); the largest is the main one.
    const dir = join(profileDir, `${name}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const child: ChildProcess = fork(file.pathname, args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no port after 30 s`)), 30_000);
    child.once('message', (message: unknown) => {
      clearTimeout(timer);
      const port = (message as { port?: unknown }).port;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`${name}: unexpected message ${JSON.stringify(message)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before listening`));
    });
  });
  return {
    name,
    port,
    pid: child.pid ?? -1,
    cpuMicros: () => askCpuMicros(name, child),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** POST /login and returns the `name=value` of the cookie the server set. */
export async function login(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST' });
  const setCookie = response.headers.getSetCookie()[0];
  if (response.status >= 300 || setCookie === undefined) {
    throw new Error(`login on port ${port} answered ${response.status} without a cookie`);
  }
  return setCookie.split(';')[0] as string;
}

export interface SanityCheck {
  /** Status with the session cookie (must be 200). */
  withCookie: number;
  /** Status without a cookie (401 for a server that checks sessions). */
  withoutCookie: number;
  body: string;
}

/** One request with the cookie and one without, so a server that checks nothing cannot pass as one that does. */
export async function sanityCheck(port: number, cookie: string): Promise<SanityCheck> {
  const good = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
  const body = await good.text();
  const bad = await fetch(`http://127.0.0.1:${port}/`);
  await bad.arrayBuffer();
  return { withCookie: good.status, withoutCookie: bad.status, body };
}

export interface LoadOptions {
  connections: number;
  seconds: number;
}

export interface LoadResult {
  readonly result: Result;
  /** Response-time percentiles in microseconds (autocannon's own histogram rounds to whole milliseconds). */
  readonly latencyUs: { p50: number; p90: number; p99: number; mean: number };
}

/**
 * autocannon options for a list of cookies: connection k of n cycles through its own k-th share of the list (so
 * no two connections ask for the same session at once). autocannon builds a connection's requests when it makes
 * the connection, inside its measured duration, so `setupMs` says how long that took (load() takes it off).
 */
function spreadCookies(
  cookies: readonly string[],
  connections: number,
): { options: Pick<Options, 'requests' | 'setupClient'>; setupMs: () => number } {
  if (cookies.length === 0) throw new TypeError('load: the cookie list is empty');
  const requests = cookies.map((cookie) => ({ method: 'GET', path: '/', headers: { cookie } }));
  const shares = Math.max(1, Math.min(connections, requests.length));
  let made = 0;
  let spent = 0;
  return {
    options: {
      // Built once per connection before setupClient replaces it: one request, not the whole list.
      requests: requests.slice(0, 1),
      setupClient: (client) => {
        const start = performance.now();
        const share = made % shares;
        made += 1;
        client.setRequests(requests.filter((_, index) => index % shares === share));
        spent += performance.now() - start;
      },
    },
    setupMs: () => spent,
  };
}

/** Grows as needed; holds every response time of one run, in microseconds. */
class Samples {
  #values = new Float64Array(1 << 16);
  #length = 0;
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const next = new Float64Array(this.#values.length * 2);
      next.set(this.#values);
      this.#values = next;
    }
    this.#values[this.#length] = value;
    this.#length += 1;
  }
  percentiles(): LoadResult['latencyUs'] {
    const sorted = this.#values.slice(0, this.#length).sort();
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    let sum = 0;
    for (const value of sorted) sum += value;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sum / sorted.length };
  }
}

/**
 * Runs autocannon against GET / with the cookie, in this process, keeping microsecond latencies. With a list of
 * cookies, each connection cycles through its own share of them (built once per run, and that time is not
 * counted), so a bench can spread its reads over many sessions at no extra cost to the load generator.
 */
export async function load(
  port: number,
  cookie: string | readonly string[],
  options: LoadOptions,
): Promise<LoadResult> {
  const samples = new Samples();
  const spread = typeof cookie === 'string' ? null : spreadCookies(cookie, options.connections);
  const instance = autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    ...(spread === null ? { headers: { cookie: cookie as string } } : spread.options),
  });
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status >= 200 && status < 300) samples.push(responseTime * 1000);
  });
  const result = await instance;
  // autocannon's duration starts before it builds the connections' requests; req/s is of the load alone.
  if (spread !== null) result.duration -= spread.setupMs() / 1000;
  return { result, latencyUs: samples.percentiles() };
}

/** Asks a bench server process for the CPU time it has used (µs): it answers the message 'cpu' with `{ cpu }`. */
export function askCpuMicros(name: string, child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no CPU figure after 5 s`)), 5000);
    const onMessage = (message: unknown): void => {
      const cpu = (message as { cpu?: unknown }).cpu;
      if (typeof cpu !== 'number') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(cpu);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}
