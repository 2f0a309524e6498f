import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { InspectableStore, SessionStore, StoreInspection } from '../../core/store.js';
import { ConfigError, loadConfig, type ServiceConfig } from '../../service/config.js';
import { openStore } from '../../service/store-from-url.js';
import { parseKeyList } from '../../stateless/jwt/key-list.js';
import { JwtKeyRing } from '../../stateless/jwt/key-ring.js';
import { importJwtKey } from '../../stateless/jwt/keys.js';
import { printable } from '../table.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  readonly status: CheckStatus;
  readonly name: string;
  readonly detail: string;
  /** What to do about a failure or a warning. */
  readonly hint?: string;
}

/** Longest wait for the store to answer: doctor must finish even when the store hangs. */
export const STORE_TIMEOUT_MS = 10_000;
/** Clock skew above this is a warning (token expiry and sessions compare clocks of different nodes). */
export const SKEW_WARN_MS = 1000;

const pass = (name: string, detail: string): CheckResult => ({ status: 'pass', name, detail });
const skip = (name: string, detail: string): CheckResult => ({ status: 'skip', name, detail });
const fail = (name: string, detail: string, hint: string): CheckResult => ({
  status: 'fail',
  name,
  detail,
  hint,
});
const warn = (name: string, detail: string, hint: string): CheckResult => ({
  status: 'warn',
  name,
  detail,
  hint,
});

export function checkConfig(env: NodeJS.ProcessEnv): { result: CheckResult; config: ServiceConfig | null } {
  try {
    const config = loadConfig(env);
    return {
      config,
      result: pass(
        'configuration',
        `loaded (store ${redact(config.store)}, data dir ${printable(config.dataDir)})`,
      ),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      config: null,
      result: fail(
        'configuration',
        error.message,
        `fix ${error.variable}; \`tessera help\` lists every variable`,
      ),
    };
  }
}

export async function checkDataDir(dir: string): Promise<CheckResult> {
  const name = 'data dir';
  try {
    const info = await stat(dir);
    if (!info.isDirectory())
      return fail(name, `${printable(dir)} is not a folder`, 'set TESSERA_DATA_DIR to a folder');
    await access(dir, constants.W_OK | constants.X_OK);
    return pass(name, `${printable(dir)} is writable`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      return fail(
        name,
        `${printable(dir)} is not writable (${code ?? 'error'})`,
        'give the service user write access to it',
      );
    }
  }
  // Missing: serve creates it, if the nearest existing folder above lets it.
  let parent = dirname(dir);
  while (parent !== dirname(parent) && !(await exists(parent))) parent = dirname(parent);
  try {
    await access(parent, constants.W_OK | constants.X_OK);
    return pass(name, `${printable(dir)} does not exist yet; serve creates it`);
  } catch {
    return fail(
      name,
      `${printable(dir)} does not exist and ${printable(parent)} is not writable`,
      'create it for the service user',
    );
  }
}

export interface StoreCheck {
  readonly result: CheckResult;
  readonly schema: CheckResult | null;
  readonly clock: CheckResult;
}

/** Store reachable (and its schema version), then the clock skew against the store server. */
export async function checkStore(config: ServiceConfig): Promise<StoreCheck> {
  const name = 'store';
  const sqlite = sqlitePath(config);
  if (sqlite !== null && sqlite !== ':memory:' && !(await exists(sqlite))) {
    return {
      result: pass(name, `sqlite file ${printable(sqlite)} does not exist yet; serve creates it`),
      schema: null,
      clock: skip('clock', 'skipped: sqlite has no server clock (keep the nodes on NTP)'),
    };
  }
  let store: SessionStore;
  try {
    store = await openStore(config.store, { dataDir: config.dataDir });
  } catch (error) {
    return unreachable(name, error);
  }
  try {
    const started = Date.now();
    const first = await bounded(look(store));
    const took = Date.now() - started;
    const result = pass(name, `${store.kind} answers (${took} ms)`);
    return { result, schema: schemaResult(store.kind, first), clock: await clockResult(store, first) };
  } catch (error) {
    return unreachable(name, error);
  } finally {
    await bounded(store.close()).catch(() => {});
  }
}

function unreachable(name: string, error: unknown): StoreCheck {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const why = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return {
    result: fail(
      name,
      `not reachable: ${printable(String((error as Error).message ?? error))
        .replace(/^tessera: /, '')
        .slice(0, 200)}${why}`,
      `check TESSERA_STORE and that the server is up (doctor waits at most ${STORE_TIMEOUT_MS / 1000} s)`,
    ),
    schema: null,
    clock: skip('clock', 'skipped: the store did not answer'),
  };
}

function schemaResult(kind: string, inspection: StoreInspection | null): CheckResult | null {
  const schema = inspection?.schema ?? null;
  if (schema === null) return null;
  const name = 'schema';
  if (schema.version > schema.latest) {
    return fail(
      name,
      `${kind} schema version ${schema.version} is newer than this release (${schema.latest})`,
      'upgrade this node',
    );
  }
  if (schema.version < schema.latest) {
    return warn(
      name,
      schema.version === 0
        ? `${kind} schema not created yet`
        : `${kind} schema version ${schema.version} of ${schema.latest}`,
      'run `tessera migrate` (serve also migrates on first use)',
    );
  }
  return pass(name, `${kind} schema version ${schema.version} (current)`);
}

async function clockResult(store: SessionStore, first: StoreInspection | null): Promise<CheckResult> {
  const name = 'clock';
  if (first === null || first.serverTime === null) {
    return skip(name, `skipped: ${store.kind} has no server clock (keep the nodes on NTP)`);
  }
  // Measured on a warm connection, against the midpoint of the round trip.
  const before = Date.now();
  const again = await bounded(look(store));
  const after = Date.now();
  const server = again?.serverTime ?? first.serverTime;
  const skew = Math.round(server - (before + after) / 2);
  const within = Math.ceil((after - before) / 2);
  const detail = `local clock ${describeSkew(skew)} the ${store.kind} server (±${within} ms)`;
  if (Math.abs(skew) > SKEW_WARN_MS) {
    return warn(
      name,
      detail,
      'sync this host and the store server with NTP: expiry compares clocks of different nodes',
    );
  }
  return pass(name, detail);
}

function describeSkew(skew: number): string {
  if (skew === 0) return 'agrees with';
  const amount = Math.abs(skew) >= 1000 ? `${(Math.abs(skew) / 1000).toFixed(1)} s` : `${Math.abs(skew)} ms`;
  // A positive skew: the server is ahead, so the local clock is behind.
  return `is ${amount} ${skew > 0 ? 'behind' : 'ahead of'}`;
}

function look(store: SessionStore): Promise<StoreInspection | null> {
  const inspectable = store as Partial<InspectableStore>;
  if (typeof inspectable.inspect === 'function') return inspectable.inspect();
  return store.ping().then(() => null);
}

function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${STORE_TIMEOUT_MS / 1000} s`)),
      STORE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Key and secret files: readable, private (no group/other bits), and usable. */
export async function checkSecrets(config: ServiceConfig): Promise<CheckResult[]> {
  const dir = config.dataDir;
  return [
    config.tokens.keys !== null
      ? pass(
          'JWT keys',
          `from TESSERA_JWT_KEYS (${parseKeyList(config.tokens.keys, 'TESSERA_JWT_KEYS').length} keys)`,
        )
      : await secretFile(
          'JWT keys',
          join(dir, 'jwt-keys.json'),
          'the first token request creates it',
          (text) => {
            const ring = new JwtKeyRing(parseKeyList(text, 'the key file').map(importJwtKey));
            return `${ring.keys.length} key${ring.keys.length === 1 ? '' : 's'}`;
          },
        ),
    config.tokens.refreshSecret !== null
      ? pass('refresh secret', 'from TESSERA_REFRESH_SECRET')
      : await secretFile(
          'refresh secret',
          join(dir, 'refresh-secret'),
          'the first refresh token creates it',
          (text) => {
            if (Buffer.from(text.trim(), 'base64url').byteLength < 32) throw new Error('short');
            return '32+ bytes';
          },
        ),
    config.apiKey !== null
      ? pass('API key', 'from TESSERA_API_KEY')
      : await secretFile('API key', join(dir, 'api-key'), null, (text) => {
          if (!/^[A-Za-z0-9._~+/=-]{32,512}$/.test(text.trim())) throw new Error('bad');
          return 'valid';
        }),
  ];
}

/**
 * `whenMissing`: why a missing file is fine (it is created on first use), or null when it should exist (the
 * API key: a missing one is a warning, serve creates it and prints it once).
 */
async function secretFile(
  name: string,
  path: string,
  whenMissing: string | null,
  validate: (text: string) => string,
): Promise<CheckResult> {
  const shown = printable(path);
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile())
      return fail(name, `${shown} is not a file`, 'remove it; the service creates the file');
    mode = info.mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return fail(
        name,
        `cannot read ${shown} (${(error as NodeJS.ErrnoException).code})`,
        'check its folder permissions',
      );
    }
    return whenMissing === null
      ? warn(name, `${shown} does not exist yet`, 'serve generates it on first start and prints it once')
      : pass(name, `${shown} does not exist yet (${whenMissing})`);
  }
  if ((mode & 0o077) !== 0) {
    return fail(
      name,
      `${shown} is readable by other users (mode ${mode.toString(8)})`,
      `run chmod 600 ${shown}`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail(
      name,
      `cannot read ${shown} (${(error as NodeJS.ErrnoException).code})`,
      'run doctor as the service user',
    );
  }
  try {
    // The message never quotes the file: a parser's message can carry part of a secret.
    return pass(name, `${shown}: ${validate(text)}, mode ${mode.toString(8)}`);
  } catch {
    return fail(
      name,
      `${shown} is not usable: it holds no valid ${name}`,
      'restore it from a backup, or remove it to generate a new one',
    );
  }
}

/** The SQLite file TESSERA_STORE names (as `openStore` resolves it), or null for another store. */
function sqlitePath(config: ServiceConfig): string | null {
  const url = config.store;
  let path: string;
  if (url.startsWith('sqlite:')) path = url.slice('sqlite:'.length);
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) path = url;
  else return null;
  if (path === '') return join(config.dataDir, 'tessera.sqlite');
  return path === ':memory:' || isAbsolute(path) ? path : resolve(path);
}

/** A store URL without its password. */
export function redact(url: string): string {
  return printable(url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@'));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
