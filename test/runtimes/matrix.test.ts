// docs/runtimes.md promises that every ✓ of its matrix is a test that runs: each ✓ cell names a test file,
// and each named file exists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './runtime-run.js';

const doc = readFileSync(join(ROOT, 'docs/runtimes.md'), 'utf8');
/** The matrix: the table under "## Server-side stores and stateless modes", up to the next heading. */
const matrix = doc.split('## Server-side stores and stateless modes')[1]?.split('\n## ')[0] ?? '';
const rows = matrix
  .split('\n')
  .filter((line) => line.startsWith('|') && !/^\|\s*(-|runtime\b)/.test(line))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

describe('docs/runtimes.md', () => {
  it('has the matrix: a runtime per row, six features per row', () => {
    assert.ok(rows.length >= 6, `found ${rows.length} rows`);
    for (const row of rows) assert.equal(row.length, 7, row.join(' | '));
  });

  it('every ✓ cell names a test file that exists', () => {
    const ticks = rows.flatMap((row) => row.slice(1).filter((cell) => cell.includes('✓')));
    assert.ok(ticks.length >= 14, `found ${ticks.length} ✓ cells`);
    for (const cell of ticks) {
      const files = [...cell.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((match) => match[1] as string);
      assert.ok(files.length > 0, `a ✓ without a test: ${cell}`);
      for (const file of files) assert.ok(existsSync(join(ROOT, file)), `${file} exists (${cell})`);
    }
  });
});
