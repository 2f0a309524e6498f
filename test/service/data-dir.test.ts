import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, ROOT, serve } from './child.js';

interface Run {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

// Root passes every permission check, so the "not writable" cases run the CLI as nobody when the tests are root.
const AS_NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** `tessera serve` through tsx, killed if it is still up after 60 s (it should exit at once). */
async function serveExpectingExit(dataDir: string, options: { asNobody?: boolean } = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: childEnv({ TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.asNobody === true ? AS_NOBODY : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await once(child, 'close');
  clearTimeout(guard);
  return { code: (code as number | null) ?? (signal as string), stdout, stderr };
}

/** One line on stderr naming TESSERA_DATA_DIR and the path, no stack trace, nothing on stdout, exit 2. */
function assertDataDirError(run: Run, path: string, problem: RegExp): void {
  assert.equal(run.code, 2, `exit code 2 (configuration error):\n${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `exactly one line:\n${run.stderr}`);
  const line = lines[0] as string;
  assert.ok(line.startsWith('tessera: configuration error: TESSERA_DATA_DIR '), line);
  assert.ok(line.includes(`(${path})`), `the path is named: ${line}`);
  assert.match(line, problem);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(run.stdout, '', 'nothing in the JSON log stream');
}

describe('a data folder the service cannot use stops the start with one line naming TESSERA_DATA_DIR', () => {
  let base: string;
  let locked: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'tessera-data-dir-'));
    // nobody must reach the folders below to be refused by them, not by this one.
    await chmod(base, 0o755);
    await writeFile(join(base, 'a-file'), 'not a folder\n');
    locked = join(base, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
  });
  after(async () => {
    await chmod(locked, 0o755);
    await rm(base, { recursive: true, force: true });
  });

  it('a file where the folder should be', async () => {
    const path = join(base, 'a-file');
    assertDataDirError(await serveExpectingExit(path), path, /is a file, not a folder/);
  });

  it('a folder that cannot be created because a part of its path is a file', async () => {
    const path = join(base, 'a-file', 'data');
    assertDataDirError(
      await serveExpectingExit(path),
      path,
      /cannot be created: a part of the path is a file/,
    );
  });

  it('a folder that cannot be created in a folder this user may not write', async () => {
    const path = join(locked, 'data');
    const run = await serveExpectingExit(path, { asNobody: true });
    assertDataDirError(run, path, /cannot be created \(EACCES\)/);
  });

  it('an existing folder this user may not write', async () => {
    const run = await serveExpectingExit(locked, { asNobody: true });
    assertDataDirError(run, locked, /is not writable by this user \(EACCES\)/);
  });

  it('a missing folder is created, and the write check leaves nothing behind', async () => {
    const path = join(base, 'new', 'nested', 'data');
    const child = serve({ TESSERA_DATA_DIR: path });
    try {
      await child.port;
    } finally {
      child.process.kill('SIGTERM');
    }
    assert.equal(await child.exited, 0, child.output());
    const names = await readdir(path);
    assert.ok(names.includes('api-key'), names.join(', '));
    assert.deepEqual(
      names.filter((name) => name.startsWith('.tessera-write-check')),
      [],
    );
  });
});
