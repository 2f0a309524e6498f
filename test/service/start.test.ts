// `npm start` (scripts/start.mjs): builds only when dist/ is missing or older than the sources, then serves in
// the same process, so SIGTERM and SIGINT sent to `npm start` stop the service gracefully. Each test works on a
// copy of the repository in a temporary folder, so it neither writes the checkout's dist/ nor sees edits made
// to the checkout while it runs.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, ROOT } from './child.js';
import { call } from './helpers.js';

interface Started {
  readonly process: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the `listening` log line's port and pid (the service's own process). */
  readonly listening: Promise<{ port: number; pid: number }>;
  readonly exited: Promise<number | string>;
}

/** Processes a failed test may leave running: killed in the last `after`. */
const leftovers = new Set<number>();

function start(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Started {
  const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) leftovers.add(child.pid);
  child.once('exit', () => leftovers.delete(child.pid as number));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const listening = new Promise<{ port: number; pid: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = /^\{[^\n]*"msg":"listening"[^\n]*\}$/m.exec(stdout);
      if (line !== null) {
        const fields = JSON.parse(line[0]) as { port: number; pid: number };
        leftovers.add(fields.pid);
        resolve({ port: fields.port, pid: fields.pid });
      }
    });
    child.once('exit', () => reject(new Error(`exited before listening:\n${stdout}\n${stderr}`)));
  });
  listening.catch(() => undefined);
  // 'close', not 'exit': npm's service child holds the pipes, so its last log lines are in once they close.
  const exited = once(child, 'close').then(([code, signal]) => (code as number | null) ?? (signal as string));
  return { process: child, stdout: () => stdout, stderr: () => stderr, listening, exited };
}

/** Runs `node scripts/start.mjs <args>` in `root` to its end. */
async function startToEnd(root: string, args: readonly string[] = []): Promise<Started> {
  const run = start(process.execPath, ['scripts/start.mjs', ...args], root, {});
  await run.exited;
  return run;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    leftovers.delete(pid);
    return false;
  }
}

async function copyStartScripts(root: string): Promise<void> {
  await mkdir(join(root, 'scripts'), { recursive: true });
  for (const name of ['start.mjs', 'build-state.mjs'])
    await cp(join(ROOT, 'scripts', name), join(root, 'scripts', name));
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
}

describe('scripts/start.mjs decides when to build (a one-file fixture, so tsc is quick)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-start-fixture-'));
    await copyStartScripts(root);
    await writeFile(join(root, 'package.json'), '{ "name": "fixture", "private": true, "type": "module" }\n');
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      types: [],
      outDir: 'dist',
      rootDir: '.',
    };
    await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    await writeFile(join(root, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json' }));
    await mkdir(join(root, 'src/cli'), { recursive: true });
    // Stands in for the real CLI: says how it was called.
    await writeFile(
      join(root, 'src/cli/main.ts'),
      [
        'declare const process: { argv: string[]; stderr: { write(text: string): void } };',
        "process.stderr.write('fixture cli: ' + process.argv.slice(2).join(' ') + '\\n');",
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds when dist/ is missing, then not again until a source changes, is added or is removed', async () => {
    const first = await startToEnd(root, ['--help']);
    assert.equal(await first.exited, 0, first.stderr());
    assert.match(
      first.stderr(),
      /^tessera: building dist\/ with tsc \(dist\/src\/cli\/main\.js is missing\)$/m,
    );
    assert.match(first.stderr(), /^tessera: built dist\/ in \d+\.\d s$/m);
    assert.match(
      first.stderr(),
      /^fixture cli: serve --help$/m,
      'the CLI runs as `serve`, with the arguments',
    );
    assert.equal(first.stdout(), '', 'stdout stays for the JSON log stream');

    const second = await startToEnd(root);
    assert.equal(await second.exited, 0, second.stderr());
    assert.match(second.stderr(), /^tessera: dist\/ is up to date with the sources; not rebuilding$/m);
    assert.doesNotMatch(second.stderr(), /building dist/);
    assert.match(second.stderr(), /^fixture cli: serve$/m);

    const now = new Date();
    await utimes(join(root, 'src/cli/main.ts'), now, now);
    const touched = await startToEnd(root);
    assert.match(
      touched.stderr(),
      /building dist\/ with tsc \(src\/cli\/main\.ts changed since the last build\)/,
    );
    assert.match((await startToEnd(root)).stderr(), /up to date/);

    await writeFile(join(root, 'src/extra.ts'), 'export const extra = 1;\n');
    assert.match((await startToEnd(root)).stderr(), /building dist\/ with tsc \(src(\/extra\.ts)? changed/);
    await rm(join(root, 'src/extra.ts'));
    assert.match(
      (await startToEnd(root)).stderr(),
      /building dist\/ with tsc \(src changed since the last build\)/,
    );
    assert.match((await startToEnd(root)).stderr(), /up to date/);

    await writeFile(
      join(root, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json' }, null, 2),
    );
    assert.match((await startToEnd(root)).stderr(), /\(tsconfig\.build\.json changed since the last build\)/);
  });

  it('a failed build does not start, and the next start builds again although tsc wrote files', async () => {
    await writeFile(join(root, 'src/broken.ts'), 'export const broken: number = "not a number";\n');
    for (let attempt = 0; attempt < 2; attempt++) {
      const run = await startToEnd(root);
      assert.equal(await run.exited, 1, run.stderr());
      assert.match(run.stderr(), /building dist\/ with tsc/);
      assert.match(run.stderr(), /error TS2322/, 'the compiler errors are shown (on stderr)');
      assert.match(run.stderr(), /^tessera: the build failed \(tsc exit 2\); not starting$/m);
      assert.doesNotMatch(run.stderr(), /fixture cli/);
      assert.equal(run.stdout(), '');
    }
    await rm(join(root, 'src/broken.ts'));
    const fixed = await startToEnd(root);
    assert.equal(await fixed.exited, 0, fixed.stderr());
    assert.match(fixed.stderr(), /fixture cli: serve/);
  });
});

describe('npm start on a copy of the repository', () => {
  let root: string;
  let dataDir: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-start-'));
    dataDir = join(root, 'data');
    for (const name of ['src', 'runtime', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])
      await cp(join(ROOT, name), join(root, name), { recursive: true, preserveTimestamps: true });
    await copyStartScripts(root);
    // The built service serves docs/openapi.json from the repository.
    await symlink(join(ROOT, 'docs'), join(root, 'docs'), 'dir');
  });
  after(async () => {
    // Only processes this file started and has not seen end (a failed assertion skipped their stop).
    for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  /** `npm start` until the service listens: its port, its pid, and the first request answered. */
  async function npmStart(): Promise<{ run: Started; pid: number }> {
    const run = start('npm', ['start'], root, { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir });
    const { port, pid } = await run.listening;
    const health = await call(`http://127.0.0.1:${port}`, 'GET', '/healthz', undefined, { key: null });
    assert.equal(health.status, 200);
    assert.match(run.stderr(), new RegExp(`listening on http://127\\.0\\.0\\.1:${port} \\(admin console: `));
    return { run, pid };
  }

  it('the first start builds; SIGTERM to npm stops the service gracefully with exit 0', async () => {
    const { run, pid } = await npmStart();
    assert.match(
      run.stderr(),
      /^tessera: building dist\/ with tsc \(dist\/src\/cli\/main\.js is missing\)$/m,
    );
    assert.notEqual(pid, run.process.pid, 'npm runs the service in a process of its own');
    run.process.kill('SIGTERM');
    assert.equal(await run.exited, 0, `${run.stdout()}\n${run.stderr()}`);
    assert.match(run.stdout(), /"msg":"shutting down","signal":"SIGTERM"/);
    assert.match(run.stdout(), /"msg":"stopped"/);
    assert.equal(isAlive(pid), false, 'the service process is gone, not orphaned');
    assert.ok((await readFile(join(dataDir, 'api-key'), 'utf8')).length > 32);
  });

  it('the next start does not run tsc; SIGINT stops it gracefully too', async () => {
    const { run, pid } = await npmStart();
    assert.match(run.stderr(), /^tessera: dist\/ is up to date with the sources; not rebuilding$/m);
    assert.doesNotMatch(run.stderr(), /building dist/);
    run.process.kill('SIGINT');
    assert.equal(await run.exited, 0, `${run.stdout()}\n${run.stderr()}`);
    assert.match(run.stdout(), /"msg":"shutting down","signal":"SIGINT"/);
    assert.match(run.stdout(), /"msg":"stopped"/);
    assert.equal(isAlive(pid), false);
  });

  it("a signal to the whole process group (a terminal's Ctrl-C, twice over through npm) still stops it cleanly", async () => {
    const run = start('npm', ['start'], root, { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir });
    const { pid } = await run.listening;
    // The service gets SIGINT directly and again from npm, which passes it on.
    process.kill(run.process.pid as number, 'SIGINT');
    process.kill(pid, 'SIGINT');
    // npm's own status is npm's business (when the service has already exited, npm dies of the SIGINT); the
    // service's is what counts: one graceful shutdown, not a second signal killing it halfway.
    const npmStatus = await run.exited;
    assert.ok(npmStatus === 0 || npmStatus === 'SIGINT', String(npmStatus));
    assert.match(run.stdout(), /"msg":"stopped"/);
    assert.equal((run.stdout().match(/"msg":"shutting down"/g) ?? []).length, 1);
    assert.equal(isAlive(pid), false);
  });
});
