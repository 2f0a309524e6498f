/** The campaign's table (store × input class: requests, status histogram, findings) and its JSON summary. */
import type { CampaignResult } from './campaign.js';

/** `400:123 401:45 …`, most frequent first. */
export function histogram(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, count]) => `${status}:${count}`)
    .join(' ');
}

export function table(results: readonly CampaignResult[]): string {
  const rows: string[][] = [['store', 'input class', 'requests', 'raw', 'max ms', 'findings', 'statuses']];
  for (const result of results) {
    for (const cls of result.classes) {
      rows.push([
        result.store,
        cls.name,
        String(cls.sent),
        String(cls.raw),
        String(Math.round(cls.maxMs)),
        String(cls.findings),
        histogram(cls.statuses),
      ]);
    }
    const total: Record<string, number> = {};
    for (const cls of result.classes)
      for (const [status, count] of Object.entries(cls.statuses))
        total[status] = (total[status] ?? 0) + count;
    rows.push([
      result.store,
      `TOTAL (${(result.wallMs / 1000).toFixed(0)} s, ${result.healthChecks} health checks)`,
      String(result.sent),
      String(result.classes.reduce((sum, cls) => sum + cls.raw, 0)),
      String(Math.round(Math.max(...result.classes.map((cls) => cls.maxMs)))),
      String(findingCount(result)),
      histogram(total),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  const line = (row: string[]): string =>
    row
      .map((cell, column) =>
        column === row.length - 1
          ? cell
          : column >= 2 && column <= 5
            ? cell.padStart(widths[column]!)
            : cell.padEnd(widths[column]!),
      )
      .join('  ');
  return [
    line(rows[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** Findings counted per class (the kept list is capped). */
export function findingCount(result: CampaignResult): number {
  return (
    result.classes.reduce((sum, cls) => sum + cls.findings, 0) +
    result.findings.filter((f) => f.inputClass === '(end)').length
  );
}

export function summaryJson(results: readonly CampaignResult[], meta: Record<string, unknown>): string {
  return `${JSON.stringify(
    {
      ...meta,
      stores: results.map((result) => ({
        store: result.store,
        where: result.where,
        seed: result.seed,
        requests: result.sent,
        wallSeconds: Math.round(result.wallMs / 100) / 10,
        healthChecks: result.healthChecks,
        findings: findingCount(result),
        classes: result.classes.map((cls) => ({
          name: cls.name,
          requests: cls.sent,
          raw: cls.raw,
          maxMs: Math.round(cls.maxMs),
          findings: cls.findings,
          statuses: cls.statuses,
        })),
        keptFindings: result.findings,
      })),
    },
    null,
    2,
  )}\n`;
}
