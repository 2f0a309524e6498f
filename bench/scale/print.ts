/** The scale bench's console output: a table per store, bytes per session, and the spread of validate figures. */
import { printTable } from '../lib/table.js';
import { bytesCells, bytesHeaders, SIZE_HEADERS, SPREAD_HEADERS, sizeCells, spreadCells } from './format.js';
import { type StoreResult, spreadOf, sizeLabel } from './results.js';

export function printStore(store: StoreResult): void {
  console.log(`\n${store.label}`);
  if (store.skipped !== null) {
    console.log(`  skipped: ${store.skipped}`);
    return;
  }
  printTable(SIZE_HEADERS, store.sizes.map(sizeCells));
  if (store.skippedSizes.length > 0) {
    console.log(`  not run here: ${store.skippedSizes.map(sizeLabel).join(', ')} (on-disk stores only)`);
  }
  if (store.error !== null) console.log(`  FAILED: ${store.error}`);
  const method = store.sizes[0]?.footprint.method;
  if (method !== undefined) console.log(`  B/session: ${method}`);
}

export function printSummary(stores: readonly StoreResult[], sizes: readonly number[]): void {
  const measured = stores.filter((store) => store.skipped === null && store.sizes.length > 0);
  console.log('');
  printTable(
    bytesHeaders(sizes),
    measured.map((store) => bytesCells(store, sizes)),
  );
  console.log('');
  printTable(
    SPREAD_HEADERS,
    measured.map((store) => spreadCells(store, spreadOf(store.sizes))),
  );
  console.log(
    'spread: smallest size to largest (worst: the largest distance from the smallest at any size); ' +
      'paired: median over turns of a size over the smallest size in the same turn (the sizes take turns).',
  );
}
