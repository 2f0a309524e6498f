import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManualClock, manualClock } from '../../src/core/clock.js';
import type { TesseraEventType } from '../../src/core/events.js';
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import type { TesseraOptions } from '../../src/core/options.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

/** Every engine event type: the compiler fails here when a new type is added and not listed. */
const TYPES: Record<TesseraEventType, true> = {
  created: true,
  rotated: true,
  elevated: true,
  renewed: true,
  revoked: true,
  expired: true,
  'unknown-token': true,
  'binding-mismatch': true,
  'device-bound': true,
  'refresh-reuse': true,
  'csrf-rejected': true,
  'data-updated': true,
  'session-limit': true,
  'revoked-everyone': true,
};
export const ALL_EVENT_TYPES = Object.keys(TYPES) as TesseraEventType[];

export interface Dir {
  readonly path: string;
  file(name: string): string;
  remove(): Promise<void>;
}

/** A unique temp folder per test (files run concurrently). */
export async function tempDir(): Promise<Dir> {
  const path = await mkdtemp(join(tmpdir(), 'tessera-audit-'));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export interface World {
  readonly manager: SessionManager;
  readonly store: MemoryStore;
  readonly clock: ManualClock;
}

/** A real engine over the memory store with a manual clock. */
export function world(options: Partial<TesseraOptions> = {}): World {
  const clock = manualClock(Date.UTC(2026, 0, 1, 9));
  const store = new MemoryStore();
  const manager = createTessera({ store, clock, idleTimeout: 600, absoluteTimeout: 3600, ...options });
  return { manager, store, clock };
}

/** The file's lines, without the final empty one. */
export async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').slice(0, -1);
}

export async function records(path: string): Promise<Record<string, unknown>[]> {
  return (await lines(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
}
