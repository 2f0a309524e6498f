import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The npm name (`tessera` on npm is an unrelated package); the command stays `tessera`. */
export const PACKAGE_NAME = '@tessera-sessions/tessera';

export function version(): string {
  // Works from src/cli (tsx) and dist/src/cli (built): walk up to the package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here; look one folder up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
