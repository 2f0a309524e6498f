import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the port from the `listening` log line. */
  readonly port: Promise<number>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** Environment without any TESSERA_* variable of the parent, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('TESSERA_')) clean[name] = value;
  return { ...clean, ...env };
}

/** Runs `node <args>` from the repository root and watches its output. */
export function runNode(args: readonly string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /"msg":"listening"[^\n]*"port":(\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', () => reject(new Error(`process exited before listening:\n${output}`)));
  });
  port.catch(() => undefined);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string));
  return { process: child, output: () => output, port, exited };
}

/** `tessera serve` through tsx, as the tests run it. */
export function serve(env: Record<string, string>): Child {
  return runNode(['--import', 'tsx', 'src/cli/main.ts', 'serve'], { TESSERA_PORT: '0', ...env });
}

export interface CliRun {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn to exit. */
  readonly ms: number;
}

/** Runs `tessera <args>` through tsx and collects stdout and stderr apart (the CLI keeps results on stdout). */
export async function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code, signal] = await once(child, 'close');
  return { code: (code as number | null) ?? (signal as string), stdout, stderr, ms: Date.now() - started };
}
