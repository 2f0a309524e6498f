/**
 * `npm run bench`: runs every `bench/*.bench.ts` one after another, each in its own process so one bench's
 * heap and JIT state do not colour the next. `npm run bench -- redis` runs only files whose name contains "redis".
 * Results are printed; each bench may also write JSON under bench-results/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((part) => name.includes(part)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
if (failed > 0) {
  console.error(`${failed} bench file(s) failed`);
  process.exit(1);
}
