// Compares what a test file declared (written by scripts/test-ledger.mjs in the file's own process) with what
// its runner reported (written by scripts/test-tally-reporter.mjs in the runner's process).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {{ event: 'dequeue' | 'pass' | 'fail', name: string, nesting: number, suite?: boolean, skip?: boolean, todo?: boolean }} Line
 * @typedef {{ declared: { declared: number, exitCode: number } | null, lines: Line[] }} Tally
 */

/** @returns {Tally} */
export function readTally(ledgerDir, reportedPath) {
  const declaredPath = join(ledgerDir, 'declared.json');
  const declared = existsSync(declaredPath) ? JSON.parse(readFileSync(declaredPath, 'utf8')) : null;
  const lines = [];
  if (existsSync(reportedPath)) {
    for (const text of readFileSync(reportedPath, 'utf8').split('\n')) {
      if (text === '') continue;
      try {
        lines.push(JSON.parse(text));
      } catch {
        // A file stopped mid-write can leave half a line at the end.
      }
    }
  }
  return { declared, lines };
}

/**
 * Counts one file's reported tests (suites left out) and names what it lost: fewer reported than declared,
 * more reported than declared (a way of declaring the ledger does not count), none at all, or no count
 * written (the process was killed before its exit handlers ran).
 * @param {string} name the file, as it is shown
 * @param {Tally} tally
 */
export function checkFile(name, tally) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let fileFailed = false;
  for (const line of tally.lines) {
    if (line.event === 'dequeue' || line.suite) continue;
    // A file whose process fails outright (a crash, a non-zero exit) is reported as one more failing test
    // named after the file: a failure, but not one of the tests it declared.
    if (line.nesting === 0 && line.name.endsWith(name)) {
      fileFailed = true;
      continue;
    }
    if (line.event === 'fail') failed += 1;
    else if (line.skip || line.todo) skipped += 1;
    else passed += 1;
  }
  const reported = passed + failed + skipped;
  const problems = [];
  const declared = tally.declared?.declared ?? 0;
  if (tally.declared === null) {
    problems.push(`${name}: its process ended without writing a test count (killed?); ${reported} reported`);
  } else if (declared === 0) problems.push(`${name}: declared no test`);
  else if (reported === 0) problems.push(`${name}: declared ${declared} tests, none reported`);
  else if (reported < declared) {
    problems.push(
      `${name}: declared ${declared} tests, only ${reported} reported (exit code ${tally.declared.exitCode})`,
    );
  } else if (reported > declared) {
    problems.push(
      `${name}: ${reported} tests reported but ${declared} declared (a way of declaring not counted)`,
    );
  }
  const lost = Math.max(0, declared - reported);
  // A file that failed outright, or has a problem, but lost none of its tests still counts as one failure.
  if ((fileFailed || problems.length > 0) && lost === 0 && failed === 0) failed += 1;
  return { passed, failed, skipped, reported, declared, lost, problems };
}

/** The tests and suites dequeued (started) and not yet ended, innermost last, for a file that was stopped. */
export function describeRunning(tally) {
  const open = new Map();
  for (const line of tally.lines) {
    const key = `${line.nesting}\u0000${line.name}`;
    if (line.event === 'dequeue') open.set(key, line.name);
    else open.delete(key);
  }
  return open.size > 0 ? [[...open.values()].join(' > ')] : ['(no test had started)'];
}
