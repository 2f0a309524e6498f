import { createHash, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RandomSource } from '../core/random.js';
import { ConfigError } from './config.js';

export interface ApiKeyResult {
  readonly key: string;
  /** True only on the start that created the key file: the caller prints the key this once. */
  readonly created: boolean;
  /** Where the key is kept, or null when it came from TESSERA_API_KEY. */
  readonly path: string | null;
}

/**
 * The key for the backend API: TESSERA_API_KEY when set, else `<dataDir>/api-key`, created on first start
 * with 32 CSPRNG bytes (base64url) and file mode 0600. Exclusive creation, so two starting processes cannot
 * both create a key.
 */
export async function loadOrCreateApiKey(
  configured: string | null,
  dataDir: string,
  random: RandomSource,
): Promise<ApiKeyResult> {
  if (configured !== null) return { key: configured, created: false, path: null };
  const path = join(dataDir, 'api-key');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = Buffer.from(random(32)).toString('base64url');
  try {
    await writeFile(path, `${key}\n`, { flag: 'wx', mode: 0o600 });
    // The umask cannot widen the mode, but make sure of it.
    await chmod(path, 0o600);
    return { key, created: true, path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = (await readFile(path, 'utf8')).trim();
  if (!/^[A-Za-z0-9._~+/=-]{32,512}$/.test(stored)) {
    throw new ConfigError(
      path,
      'does not hold a valid API key (32 to 512 token characters); fix or delete it',
    );
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    process.emitWarning(`${path} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  return { key: stored, created: false, path };
}

/**
 * Checks an `Authorization: Bearer <key>` header against the key in constant time: both sides are hashed
 * first, so neither the content nor the length of the key leaks through timing.
 */
export function apiKeyMatches(authorization: string | undefined, key: string): boolean {
  if (authorization === undefined || authorization.length > 1024) return false;
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  const presented = match?.[1] ?? '';
  const left = createHash('sha256').update(presented).digest();
  const right = createHash('sha256').update(key).digest();
  return timingSafeEqual(left, right) && presented !== '';
}
