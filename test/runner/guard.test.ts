// The test runner itself (scripts/run-tests.mjs): a file that loses tests, declares none, is killed, leaks a
// handle or hangs fails the run with its name. Each case runs the real runner on a fixture folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

interface RunResult {
  code: number | null;
  output: string;
}

function runFixture(name: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['scripts/run-tests.mjs', '--root', `test/runner/fixtures/${name}`],
      {
        env: { ...process.env, TESSERA_TEST_EXIT_GRACE_MS: '1000', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('test runner: every declared test runs and is counted', () => {
  it('passes a file that reports all it declares, skipped tests included', async () => {
    const { code, output } = await runFixture('passes');
    assert.equal(code, 0, output);
    assert.match(output, /^tests: 2 passed, 0 failed, 1 skipped$/m);
    assert.match(output, /3 tests declared/);
  });

  it('counts subtests made with t.test', async () => {
    const { code, output } = await runFixture('subtests');
    assert.equal(code, 0, output);
    assert.match(output, /^tests: 3 passed, 0 failed, 0 skipped$/m);
  });

  it('fails a file whose helper calls process.exit(0) half way, naming it', async () => {
    const { code, output } = await runFixture('exits-early');
    assert.equal(code, 1, output);
    assert.match(output, /exits-early\/exits\.test\.mjs: declared 3 tests, (none|only \d) reported/);
    assert.match(output, /^tests: 0 passed, 3 failed, 0 skipped$/m);
  });

  it('fails a file that declares no test', async () => {
    const { code, output } = await runFixture('no-tests');
    assert.equal(code, 1, output);
    assert.match(output, /no-tests\/empty\.test\.mjs: declared no test/);
  });

  it('fails a file whose process is killed before it can write its count', async () => {
    const { code, output } = await runFixture('killed');
    assert.equal(code, 1, output);
    assert.match(output, /killed\/killed\.test\.mjs: its process ended without writing a test count/);
  });

  it('fails a file that leaks a handle, naming the file and the open resource', async () => {
    const { code, output } = await runFixture('leaks-handle');
    assert.equal(code, 1, output);
    assert.match(output, /leaks-handle\/leak\.test\.mjs: still running 1000 ms after its last test/);
    assert.match(output, /TCPServerWrap/);
  });

  it('fails a test that hangs after the per-test timeout, by name', async () => {
    const { code, output } = await runFixture('hangs', { TESSERA_TEST_TIMEOUT_MS: '1000' });
    assert.equal(code, 1, output);
    assert.match(output, /✖ waits forever .*\n\s+'test timed out after 1000ms'/);
  });

  it('stops a file past its time limit, naming the test it was running', async () => {
    const { code, output } = await runFixture('hangs', { TESSERA_TEST_FILE_TIMEOUT_MS: '2000' });
    assert.equal(code, 1, output);
    assert.match(
      output,
      /hangs\/hang\.test\.mjs: ran past its limit of 2000 ms; still running: .*hangs > waits forever/,
    );
  });

  it('stops the whole run past its time limit, naming the test still running', async () => {
    const { code, output } = await runFixture('hangs', { TESSERA_RUN_TIMEOUT_MS: '2000' });
    assert.equal(code, 1, output);
    assert.match(output, /test run exceeded 2000 ms: stopping the run/);
    assert.match(output, /still running: .*hangs > waits forever/);
  });
});
