/** Writes bench results as JSON under bench-results/ (git-ignored), with the machine they came from. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

export interface Environment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryMiB: number;
  loadAverage: number[];
  commit: string | null;
  date: string;
}

export function environment(): Environment {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    commit = null;
  }
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    commit,
    date: new Date().toISOString(),
  };
}

/**
 * Saves `data` as bench-results/<name>-latest.json and bench-results/<name>-<timestamp>.json.
 * Returns the path of the timestamped file.
 */
export function writeResults(name: string, data: unknown): string {
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const body = `${JSON.stringify({ bench: name, environment: environment(), ...(data as object) }, null, 2)}\n`;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, body);
  writeFileSync(join(dir, `${name}-latest.json`), body);
  return file;
}
