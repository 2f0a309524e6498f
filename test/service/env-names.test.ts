import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KNOWN_VARIABLES, unknownVariableWarnings } from '../../src/service/env-names.js';
import { childEnv, ROOT, runCli } from './child.js';

/** Every TESSERA_* name written in the sources of the service and the CLI (prefixes like `TESSERA_JWT_*` aside). */
async function namesInSource(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name === 'env-names.ts') continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/TESSERA_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(match[0]);
  }
  return names;
}

describe('TESSERA_* variables', () => {
  it('the known list is exactly the names the service and the CLI read', async () => {
    const read = new Set([
      ...(await namesInSource(join(ROOT, 'src/service'))),
      ...(await namesInSource(join(ROOT, 'src/cli'))),
    ]);
    assert.deepEqual([...KNOWN_VARIABLES].sort(), [...read].sort());
  });

  it('an unknown one is named with the nearest known one; its value is never quoted; known ones are quiet', () => {
    const warnings = unknownVariableWarnings({
      TESSERA_SESION_OVERFLOW: 'refuse',
      TESSERA_IDLE_TIMEOUTS: '60',
      TESSERA_SOMETHING_ELSE_ENTIRELY: 'secret-value-123',
      TESSERA_PORT: '1',
      HOME: '/root',
    });
    assert.deepEqual(warnings, [
      'TESSERA_IDLE_TIMEOUTS is not a Tessera setting and is ignored; did you mean TESSERA_IDLE_TIMEOUT?',
      'TESSERA_SESION_OVERFLOW is not a Tessera setting and is ignored; did you mean TESSERA_SESSION_OVERFLOW?',
      'TESSERA_SOMETHING_ELSE_ENTIRELY is not a Tessera setting and is ignored',
    ]);
    assert.ok(!warnings.join('\n').includes('secret-value-123'));
  });
});

describe('tessera serve: the first lines', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-first-hour-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the URL, the console link, typo warnings and the new API key on stderr; stdout is only JSON', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: ROOT,
      env: childEnv({ TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_SESION_OVERFLOW: 'refuse' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const match =
          /listening on http:\/\/127\.0\.0\.1:(\d+) \(admin console: http:\/\/127\.0\.0\.1:\1\/admin\)/.exec(
            stderr,
          );
        if (match !== null) resolve(Number(match[1]));
      });
      child.once('exit', () => reject(new Error(`exited before listening:\n${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    assert.ok(port > 0);
    assert.match(
      stderr,
      /warning: TESSERA_SESION_OVERFLOW is not a Tessera setting.*did you mean TESSERA_SESSION_OVERFLOW\?/,
    );
    const key = /shown only this once:\n([A-Za-z0-9_-]{43})\n/.exec(stderr)?.[1];
    assert.ok(key !== undefined, `the key is on stderr:\n${stderr}`);
    assert.ok(!stdout.includes(key), 'never in the log stream');
    for (const line of stdout.split('\n').filter((line) => line !== '')) {
      assert.doesNotThrow(() => JSON.parse(line), `stdout is JSON lines only: ${line}`);
    }
  });

  it('serve --help prints the help without starting; another argument is a usage error', async () => {
    const help = await runCli(['serve', '--help'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0' });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: tessera/);
    assert.doesNotMatch(help.stderr, /listening/);
    const wrong = await runCli(['serve', '--port', '80'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /serve takes no arguments/);
  });
});
