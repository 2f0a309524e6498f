/** Plain-text tables and number formats for bench output. */

/** Prints a table; columns whose cells look numeric are right-aligned. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = headers.map((_, column) =>
    rows.every((row) => /^[\s\d.,%x×±~+\-–()µmsk/]*$|^n\/a$|^-$/.test(row[column] ?? '')),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** 12345.6 -> "12,346". */
export function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** 0.9312 -> "93.1%". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : 'n/a';
}

/** 5.23 -> "5.23x". */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/** Microseconds with sensible precision. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : Math.round(us).toString();
}
