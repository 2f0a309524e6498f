import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatLine, GENESIS, lineHash } from '../../src/audit/chain.js';
import { runCli } from './child.js';

describe('progress output of long work (stderr, with --progress)', () => {
  let dir: string;
  let file: string;
  const RECORDS = 40_000;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-progress-'));
    file = join(dir, 'audit.jsonl');
    // A valid chain of RECORDS lines (~8 MB), written as the trail writes them.
    const lines: string[] = [];
    let prev = GENESIS;
    for (let seq = 1; seq <= RECORDS; seq++) {
      const line = formatLine(
        {
          v: 1,
          type: 'created',
          at: 1_767_258_000_000 + seq,
          sessionId: `s${seq}`.padEnd(26, 'x'),
          subject: `user-${seq % 97}`,
          detail: { pad: 'p'.repeat(100) },
        } as never,
        seq,
        prev,
      );
      prev = lineHash(line);
      lines.push(line);
    }
    await writeFile(file, `${lines.join('\n')}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('audit verify --progress reports on stderr while the result on stdout stays the same', async () => {
    const quiet = await runCli(['audit', 'verify', file], {});
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '', 'no progress unless asked (stderr is not a terminal here)');
    assert.match(quiet.stdout, new RegExp(`is intact: ${RECORDS} records, last seq ${RECORDS}\\n`));
    const loud = await runCli(['audit', 'verify', file, '--progress'], {});
    assert.equal(loud.code, 0, loud.stderr);
    assert.equal(loud.stdout, quiet.stdout, 'the same result, byte for byte');
    const progress = loud.stderr.trimEnd().split('\n');
    assert.ok(progress.length >= 5, `several progress lines:\n${loud.stderr}`);
    for (const line of progress) {
      assert.match(
        line,
        /^tessera: audit verify: \d+ records verified, \d+\.\d MB of \d+\.\d MB \(\d+%\) \(\d+\.\d s\)$/,
      );
    }
    const counts = progress.map((line) => Number(/: (\d+) records/.exec(line)?.[1]));
    assert.deepEqual(
      [...counts].sort((a, b) => a - b),
      counts,
      'counts only grow',
    );
    assert.ok((counts.at(-1) ?? 0) <= RECORDS);
  });

  it('migrate --progress names its stages on stderr; stdout is unchanged', async () => {
    const run = await runCli(['migrate', '--progress'], { TESSERA_DATA_DIR: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'tessera: sqlite store is ready\n');
    assert.match(run.stderr, /^tessera: migrate: opening the store \(\d+\.\d s\)$/m);
    assert.match(run.stderr, /^tessera: migrate: checking the store answers \(\d+\.\d s\)$/m);
  });
});
