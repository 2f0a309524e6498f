// Whether dist/ is up to date with the sources, for `npm start` (scripts/start.mjs): it rebuilds only when
// dist/ is missing or something tsc reads changed since the last good build.
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The built CLI that `npm start` runs. */
export const BUILT_CLI = 'dist/src/cli/main.js';

/** Written by a good build; its mtime is when that build started (an edit during the build is newer). */
const STAMP = 'dist/.tessera-build';

/** What tsc reads for `npm run build`: the sources, its configuration, and package.json ("type", types). */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/**
 * @param {string} root the repository folder
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function buildState(root) {
  if (!existsSync(join(root, BUILT_CLI))) return { fresh: false, reason: `${BUILT_CLI} is missing` };
  // A tree built by `npm run build` (no stamp) counts from the time of its CLI file.
  const reference = mtimeOf(join(root, STAMP)) ?? mtimeOf(join(root, BUILT_CLI)) ?? 0;
  const newest = newestInput(root);
  if (newest !== null && newest.mtime > reference) {
    return { fresh: false, reason: `${newest.path} changed since the last build` };
  }
  return { fresh: true };
}

/**
 * Records a good build that started at `startedMs`, or a failed one (`startedMs` null: the stamp goes back to
 * 1970, so the next start builds again even though tsc wrote files).
 * @param {string} root
 * @param {number | null} startedMs
 */
export function recordBuild(root, startedMs) {
  const path = join(root, STAMP);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, startedMs === null ? 'failed\n' : `built ${new Date(startedMs).toISOString()}\n`);
  const seconds = (startedMs ?? 0) / 1000;
  utimesSync(path, seconds, seconds);
}

/**
 * The newest file or folder among the inputs (a folder's mtime moves when a file in it is added, renamed or
 * deleted, so a removed source counts as a change too).
 * @param {string} root
 * @returns {{ path: string, mtime: number } | null}
 */
function newestInput(root) {
  /** @type {{ path: string, mtime: number } | null} */
  let newest = null;
  const consider = (path, mtime) => {
    if (newest === null || mtime > newest.mtime) newest = { path: relative(root, path), mtime };
  };
  const walk = (path) => {
    let info;
    try {
      info = statSync(path);
    } catch {
      return;
    }
    consider(path, info.mtimeMs);
    if (!info.isDirectory()) return;
    for (const name of readdirSync(path)) walk(join(path, name));
  };
  for (const input of INPUTS) walk(join(root, input));
  return newest;
}

/** @param {string} path */
function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
