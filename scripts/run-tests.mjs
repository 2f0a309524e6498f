#!/usr/bin/env node
// Runs every test file under test/ through node's test runner (with tsx), each file in its own `node --test`
// process, a few at a time, and checks that every test each file declared was run and reported.
//
//   node scripts/run-tests.mjs [part …]            files whose path contains any part
//   node scripts/run-tests.mjs --root DIR [part …]  look for files under DIR instead of test/
//
// A file fails the run, by name, when it reported fewer tests than it declared, reported none, ended without
// writing its count (killed), stayed alive after its last test (a leaked handle), or ran past its time limit.
// scripts/test-ledger.mjs counts declarations inside each file's process; scripts/test-tally-reporter.mjs
// records what the runner reported; scripts/test-tally.mjs compares the two.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, describeRunning, readTally } from './test-tally.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Test files below `dir`; folders named `fixtures` hold files that tests run on purpose, not tests. */
function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') out.push(...findTests(path));
    } else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
let root = 'test';
const rootAt = args.indexOf('--root');
if (rootAt !== -1) {
  root = args[rootAt + 1] ?? 'test';
  args.splice(rootAt, 2);
}
const files = findTests(root)
  .filter((f) => args.length === 0 || args.some((part) => f.includes(part)))
  .sort()
  .map((f) => resolve(f));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const concurrency = Math.max(1, Number(process.env.TESSERA_TEST_CONCURRENCY ?? 2));
// TESSERA_TEST_TIMEOUT_MS (default 180 s): a single test or hook that hangs fails after this long, by name
// (applied by scripts/test-ledger.mjs to every test that sets no timeout of its own).
// A file that runs longer than this is stopped and fails, naming the test it was running.
const fileTimeoutMs = Number(process.env.TESSERA_TEST_FILE_TIMEOUT_MS ?? 10 * 60 * 1000);
// The whole run is bounded too: CI must finish well inside its budget.
const runTimeoutMs = Number(process.env.TESSERA_RUN_TIMEOUT_MS ?? 25 * 60 * 1000);

// Run from inside a test file (the runner's own tests), node:test's marker would make each `node --test` below
// refuse to run files: every file here is a run of its own.
const { NODE_TEST_CONTEXT: _inherited, ...childEnv } = process.env;
const ledgerRoot = mkdtempSync(join(tmpdir(), 'tessera-tests-'));
const totals = { passed: 0, failed: 0, skipped: 0, lost: 0, declared: 0 };
/** @type {string[]} */
const problems = [];
/** @type {Set<{ file: string, dir: string, child: import('node:child_process').ChildProcess, output: string[] }>} */
const running = new Set();
const started = Date.now();

/** Runs one file to its end; resolves once its output is printed and its tally checked. */
function runFile(file, index) {
  const dir = join(ledgerRoot, String(index));
  mkdirSync(dir);
  const reportedPath = join(dir, 'reported.jsonl');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(here, 'test-ledger.mjs'),
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(here, 'test-tally-reporter.mjs')}`,
      `--test-reporter-destination=${reportedPath}`,
      file,
    ],
    // Its own process group, so a stopped file takes its test process and anything that one started with it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...childEnv, TESSERA_TEST_LEDGER: dir } },
  );
  const job = { file, dir, child, output: [] };
  running.add(job);
  child.stdout.on('data', (chunk) => job.output.push(chunk.toString()));
  child.stderr.on('data', (chunk) => job.output.push(chunk.toString()));
  const fileStart = Date.now();
  let stoppedBecause = null;
  const limit = setTimeout(() => {
    stoppedBecause = `ran past its limit of ${fileTimeoutMs} ms`;
    killGroup(child);
  }, fileTimeoutMs);
  return new Promise((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      running.delete(job);
      const tally = readTally(dir, reportedPath);
      const name = relative(process.cwd(), file);
      const check = checkFile(name, tally);
      totals.passed += check.passed;
      totals.failed += check.failed;
      totals.skipped += check.skipped;
      totals.declared += check.declared;
      totals.lost += check.lost;
      const fileProblems = [...check.problems];
      if (stoppedBecause) {
        fileProblems.push(`${name}: ${stoppedBecause}; still running: ${describeRunning(tally).join('; ')}`);
      } else if (code !== 0 && check.failed === 0) {
        fileProblems.push(`${name}: exited with ${signal ?? `code ${code}`} though no test failed`);
      }
      problems.push(...fileProblems);
      const seconds = ((Date.now() - fileStart) / 1000).toFixed(1);
      process.stdout.write(`\n# ${name} (${check.reported} tests, ${seconds} s)\n${job.output.join('')}`);
      for (const problem of fileProblems) process.stderr.write(`test tally: ${problem}\n`);
      resolveDone(code === 0 && fileProblems.length === 0);
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function stopAll(reason) {
  process.stderr.write(`\n${reason}: stopping the run\n`);
  for (const job of running) {
    const tally = readTally(job.dir, join(job.dir, 'reported.jsonl'));
    process.stderr.write(`\n# ${relative(process.cwd(), job.file)} (stopped)\n${job.output.join('')}\n`);
    for (const line of describeRunning(tally)) process.stderr.write(`  still running: ${line}\n`);
    killGroup(job.child);
  }
  rmSync(ledgerRoot, { recursive: true, force: true });
  process.exit(1);
}

const watchdog = setTimeout(() => stopAll(`test run exceeded ${runTimeoutMs} ms`), runTimeoutMs);
watchdog.unref();
process.on('SIGINT', () => stopAll('interrupted'));
process.on('SIGTERM', () => stopAll('terminated'));

let next = 0;
let allOk = true;
async function worker() {
  while (next < files.length) {
    const index = next++;
    if (!(await runFile(files[index], index))) allOk = false;
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
clearTimeout(watchdog);
rmSync(ledgerRoot, { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\ntest tally: ${files.length} files, ${totals.declared} tests declared, ${seconds} s`);
for (const problem of problems) console.log(`test tally: ${problem}`);
if (totals.lost > 0)
  console.log(`test tally: ${totals.lost} declared tests were never reported (counted as failed)`);
console.log(
  `tests: ${totals.passed} passed, ${totals.failed + totals.lost} failed, ${totals.skipped} skipped`,
);
process.exit(allOk && problems.length === 0 ? 0 : 1);
