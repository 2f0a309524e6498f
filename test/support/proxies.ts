/**
 * Real reverse proxies for the forward-auth tests: nginx and Caddy (Debian packages, installed by .ci/run) in
 * front of a Python `http.server` upstream (test/support/echo-upstream.py), each on a free loopback port with its
 * own configuration in a temporary folder. No system service is used or started.
 *
 * Policy (`requireBinary`), as for the store servers (services.ts): in CI a missing program FAILS the file;
 * elsewhere its tests are skipped with a loud message.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tcpReachable } from './services.js';

export type ProxyProgram = 'nginx' | 'caddy' | 'python3';

const VERSION_ARGS: Record<ProxyProgram, string[]> = {
  nginx: ['-v'],
  caddy: ['version'],
  python3: ['--version'],
};

/** `skip` for `describe(name, { skip }, …)`: false when every program runs; throws in CI when one is missing. */
export function requireBinary(...programs: ProxyProgram[]): false | string {
  const missing = programs.filter(
    (program) => spawnSync(program, VERSION_ARGS[program], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return false;
  const message = `${missing.join(', ')} not found on PATH`;
  if (process.env.CI)
    throw new Error(`${message}: CI requires it (tests may not be skipped; .ci/run installs it)`);
  console.warn(
    `\n*** SKIPPING proxy tests: ${message}. Install it (apt-get install nginx caddy) to run them. ***\n`,
  );
  return message;
}

/** A free loopback TCP port (asked of the kernel, then released for the program that will listen on it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Running {
  readonly process: ChildProcess;
  /** Everything it wrote so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after a grace period; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts a program and collects its output. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(() => undefined);
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** Waits until something accepts connections on the port, or the program exits (then throws with its output). */
export async function waitForPort(port: number, program: Running): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (program.process.exitCode !== null) {
      throw new Error(`${program.process.spawnfile} exited before listening:\n${program.output()}`);
    }
    if (await tcpReachable('127.0.0.1', port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}:\n${program.output()}`);
}

export interface Upstream extends Running {
  readonly port: number;
}

/** The Python upstream that echoes the request it received (method, path, headers) as JSON. */
export async function startUpstream(): Promise<Upstream> {
  const script = fileURLToPath(new URL('./echo-upstream.py', import.meta.url));
  const program = run('python3', [script]);
  for (let attempt = 0; attempt < 200; attempt++) {
    const match = /listening (\d+)/.exec(program.output());
    if (match !== null) return { ...program, port: Number(match[1]) };
    if (program.process.exitCode !== null) throw new Error(`upstream exited:\n${program.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`upstream did not start:\n${program.output()}`);
}

/** The request the upstream saw. */
export interface Echoed {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** A fenced block of docs/proxy.md that follows a `<!-- test: name -->` marker: the tests run what the docs ship. */
export function docsSnippet(name: string): string {
  const docs = readFileSync(fileURLToPath(new URL('../../docs/proxy.md', import.meta.url)), 'utf8');
  const match = new RegExp(`<!-- test: ${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(docs);
  if (match === null) throw new Error(`docs/proxy.md has no block marked <!-- test: ${name} -->`);
  return match[1] as string;
}
