import { readFileSync } from 'node:fs';

/**
 * Where package.json is, relative to this module: `src/service/console/` (tsx, tests) is three folders below the
 * package root, `dist/src/service/console/` (the build) four. (The service may not import the CLI's reader.)
 */
const CANDIDATES: readonly URL[] = [
  new URL('../../../package.json', import.meta.url),
  new URL('../../../../package.json', import.meta.url),
];

let cached: string | null = null;

/** The version of the running package, read once; `unknown` when no package.json of ours is found. */
export function serviceVersion(): string {
  if (cached !== null) return cached;
  cached = 'unknown';
  for (const candidate of CANDIDATES) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === '@tessera-sessions/tessera' && typeof pkg.version === 'string') {
        cached = pkg.version;
        break;
      }
    } catch {
      /* not here; try the next place */
    }
  }
  return cached;
}
