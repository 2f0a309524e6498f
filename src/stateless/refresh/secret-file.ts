import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a base64url secret from `path`, or creates one (32 random bytes, mode 0600) when it does not exist.
 * In its own package entry (`@tessera-sessions/tessera/refresh/secret-file`), so that `…/refresh` loads no
 * `node:fs`.
 */
export async function loadOrCreateSecret(path: string): Promise<Buffer> {
  try {
    const secret = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
    if (secret.byteLength < 32) throw new TypeError(`tessera: ${path} holds fewer than 32 bytes`);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  const secret = randomBytes(32);
  // `wx`: if another process created it meanwhile, fail rather than overwrite its secret.
  await writeFile(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
