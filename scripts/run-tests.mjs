#!/usr/bin/env node
// Finds every test file under test/ and runs them with node's test runner through tsx.
// Node 20 has no glob support in `--test`, so the list is built here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TESSERA_TEST_CONCURRENCY ?? '2';
// A single test that hangs fails after this long instead of stalling CI.
const testTimeoutMs = process.env.TESSERA_TEST_TIMEOUT_MS ?? '180000';
// The whole run is bounded too: CI must finish well inside its budget even if a process never exits.
const runTimeoutMs = Number(process.env.TESSERA_RUN_TIMEOUT_MS ?? 25 * 60 * 1000);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${testTimeoutMs}`,
    // A file whose tests all finished but which leaks a handle must not hang the run.
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
const watchdog = setTimeout(() => {
  console.error(`test run exceeded ${runTimeoutMs} ms: stopping it`);
  child.kill('SIGKILL');
}, runTimeoutMs);
watchdog.unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
