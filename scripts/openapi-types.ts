// Generates test/service/openapi-types.ts, the TypeScript types of docs/openapi.json (openapi-typescript), in the
// repository's format (biome). test/service/openapi-client.test.ts regenerates them in memory and fails when the
// checked-in file differs, so the types cannot drift from the document.
//
//   npm run openapi:types
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const OPENAPI_FILE = `${ROOT}docs/openapi.json`;
export const TYPES_FILE = `${ROOT}test/service/openapi-types.ts`;

/** The types file as it should be: generated from the document, then formatted as biome formats the repo. */
export async function renderOpenApiTypes(): Promise<string> {
  // Defaults are what the server assumes for an absent field: request fields with one stay optional.
  const ast = await openapiTS(new URL(`file://${OPENAPI_FILE}`), { defaultNonNullable: false });
  const source = `${COMMENT_HEADER.replace('openapi-typescript.', 'openapi-typescript from docs/openapi.json (npm run openapi:types).')}${astToString(ast)}`;
  const biome = spawnSync(`${ROOT}node_modules/.bin/biome`, ['format', `--stdin-file-path=${TYPES_FILE}`], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TYPES_FILE, await renderOpenApiTypes());
  console.log(`wrote ${TYPES_FILE}`);
}
