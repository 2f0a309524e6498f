#!/usr/bin/env node
// `npm start`: builds dist/ with tsc only when it is missing or older than the sources, then runs
// `tessera serve` (with any arguments after `npm start --`) in this same process. One process, started by
// `exec` in package.json, so SIGTERM and SIGINT sent to `npm start` (which npm passes on) reach the service's
// own handlers: it stops accepting, finishes requests in flight, closes the store and exits 0.
//
// Status lines go to stderr, tsc's output too: stdout carries only the service's JSON log stream.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILT_CLI, buildState, recordBuild } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line) => process.stderr.write(`tessera: ${line}\n`);

const state = buildState(root);
if (state.fresh) {
  say('dist/ is up to date with the sources; not rebuilding');
} else {
  say(`building dist/ with tsc (${state.reason})`);
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    say('cannot build: typescript is not installed (run npm ci first)');
    process.exit(1);
  }
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) {
    // tsc writes files even when it reports errors: mark the build failed so the next start builds again.
    recordBuild(root, null);
    say(
      `the build failed (${result.error?.message ?? `tsc exit ${result.status ?? result.signal}`}); not starting`,
    );
    process.exit(1);
  }
  recordBuild(root, started);
  say(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

process.argv = [process.argv[0], join(root, BUILT_CLI), 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(join(root, BUILT_CLI)).href);
