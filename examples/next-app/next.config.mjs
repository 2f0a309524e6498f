import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The example compiles Tessera from the repository's `src/` (no `npm run build` first): Turbopack's root is
 * the repository, and `tsconfig.json` maps `@tessera-sessions/tessera/*` there. An app that installed the
 * package needs none of this: `next.config` can stay empty.
 * @type {import('next').NextConfig}
 */
const config = {
  turbopack: { root: resolve(here, '../..') },
  poweredByHeader: false,
};

export default config;
