import { readFile } from 'node:fs/promises';

/**
 * Where `docs/openapi.json` is, relative to this module: `src/service/` (tsx, tests) is two folders below the
 * package root, `dist/src/service/` (the build, and the published package, whose `files` include `docs`) three.
 */
const CANDIDATES: readonly URL[] = [
  new URL('../../docs/openapi.json', import.meta.url),
  new URL('../../../docs/openapi.json', import.meta.url),
];

let loaded: Promise<string> | null = null;

/**
 * The service's OpenAPI 3.1 document, as the exact text of `docs/openapi.json` (the repository copy is the
 * contract: the tests keep it true to the router and to every response). Read once, on first use; a failed
 * read is tried again next time.
 */
export function openApiDocument(): Promise<string> {
  if (loaded === null) {
    const reading = readFirst(CANDIDATES);
    loaded = reading;
    reading.catch(() => {
      if (loaded === reading) loaded = null;
    });
  }
  return loaded;
}

async function readFirst(candidates: readonly URL[]): Promise<string> {
  let lastError: unknown = null;
  for (const candidate of candidates) {
    try {
      return await readFile(candidate, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      lastError = error;
    }
  }
  throw new Error('docs/openapi.json was not found next to the service', { cause: lastError });
}
