import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { ConfigError, type ServiceConfig } from './config.js';

/**
 * Makes sure the data folder is a folder this process can write, before anything is written there, so a wrong
 * TESSERA_DATA_DIR stops the start with one line naming the variable and the path instead of a stack trace from
 * the first file written into it (the API key, the SQLite file, the audit trail, the signing keys).
 */
export async function prepareDataDir(config: ServiceConfig): Promise<void> {
  if (!writesToDataDir(config)) return;
  const dir = config.dataDir;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') throw dataDirError(dir, 'is a file, not a folder');
    if (code === 'ENOTDIR') throw dataDirError(dir, 'cannot be created: a part of the path is a file');
    throw dataDirError(dir, `cannot be created (${code})`);
  }
  if (!(await stat(dir)).isDirectory()) throw dataDirError(dir, 'is not a folder');
  // A real write, not access(2): root passes access checks, and a read-only mount answers only to a write.
  const probe = join(dir, `.tessera-write-check-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw dataDirError(dir, `is not writable by this user (${errorCode(error)})`);
  }
  await rm(probe, { force: true });
}

/** Whether the service keeps any file in the data folder with this configuration. */
function writesToDataDir(config: ServiceConfig): boolean {
  const inside = (path: string): boolean => {
    const rest = relative(config.dataDir, path);
    return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
  };
  const sqlite = config.store.startsWith('sqlite:') ? config.store.slice('sqlite:'.length) : null;
  return (
    config.apiKey === null ||
    config.tokens.keys === null ||
    config.tokens.refreshSecret === null ||
    (config.auditFile !== null && inside(config.auditFile)) ||
    (sqlite !== null && (sqlite === '' || inside(sqlite))) ||
    (!/^[a-z][a-z0-9+.-]*:/i.test(config.store) && inside(config.store))
  );
}

function dataDirError(dir: string, problem: string): ConfigError {
  // The path is the operator's own setting, shown without control characters so it cannot forge log lines.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  const shown = dir.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 300);
  return new ConfigError(
    'TESSERA_DATA_DIR',
    `(${shown}) ${problem}; set TESSERA_DATA_DIR to a writable folder`,
  );
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
