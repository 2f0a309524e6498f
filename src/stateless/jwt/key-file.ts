import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseKeyList } from './key-list.js';
import { JwtKeyRing } from './key-ring.js';
import {
  exportJwtKey,
  generateJwtKey,
  importJwtKey,
  type JwtAlgorithm,
  type JwtKey,
  type StoredJwtKey,
} from './keys.js';

export interface KeyFileOptions {
  /** Algorithm of a key generated when the file does not exist. @default 'EdDSA' */
  alg?: JwtAlgorithm;
  /** Seconds a replaced key still verifies (token lifetime + clock tolerance). @default 905 */
  retainFor?: number;
  now: number;
}

/**
 * Loads the access-token key ring from a JSON file of private JWKs, creating it (mode 0600) with a new key
 * when it does not exist. Every later change of the ring (rotation, pruning) is written back atomically.
 * In its own package entry (`@tessera-sessions/tessera/jwt/key-file`), so that `…/jwt` loads no `node:fs`.
 */
export async function loadOrCreateKeyRing(path: string, options: KeyFileOptions): Promise<JwtKeyRing> {
  let stored: StoredJwtKey[] | null = null;
  try {
    stored = parseKeyList(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = stored === null;
  const keys =
    stored === null ? [generateJwtKey(options.alg ?? 'EdDSA', options.now)] : stored.map(importJwtKey);
  const ring = new JwtKeyRing(keys, options.retainFor);
  if (created) await saveKeyFile(path, ring.keys);
  ring.onChange(() => {
    saveKeyFile(path, ring.keys).catch((error: unknown) =>
      console.error('tessera: could not save JWT keys', error),
    );
  });
  return ring;
}

/**
 * Writes a key file atomically: a temporary file of mode 0600 beside it, then a rename, so a reader sees the
 * old ring or the new one, never half of one (`tessera keys rotate` uses it too).
 */
export async function saveKeyFile(path: string, keys: readonly JwtKey[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(keys.map(exportJwtKey), null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
