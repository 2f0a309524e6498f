import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../service/config.js';
import { deriveSealKey } from '../../stateless/sealed/keys.js';
import { saveKeyFile } from '../../stateless/jwt/key-file.js';
import { parseKeyList } from '../../stateless/jwt/key-list.js';
import { JwtKeyRing } from '../../stateless/jwt/key-ring.js';
import {
  exportJwtKey,
  generateJwtKey,
  importJwtKey,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type JwtKey,
  publicJwk,
} from '../../stateless/jwt/keys.js';
import { type ParsedArgs, parseArgs, stringFlag, UsageError } from '../args.js';
import { printable, table } from '../table.js';

export const KEYS_USAGE = `Usage: tessera keys generate [--for jwt|sealed] [--alg EdDSA|ES256|HS256] [--kid <id>]
   or: tessera keys list [--file <path>] [--json]
   or: tessera keys rotate --file <path> [--alg EdDSA|ES256|HS256] [--kid <id>] [--active-in <seconds>]
`;

/** Seconds a rotated-in key is published before it signs: TESSERA_JWT_PREPUBLISH's default. */
const DEFAULT_ACTIVE_IN = 86400;

/**
 * `tessera keys …`: the access-token (JWT) key ring and sealed-cookie keys. `generate` prints secret material on
 * purpose (stdout only, for a secret manager); `list` and `rotate` print public parts only.
 */
export async function keys(args: readonly string[]): Promise<number> {
  const rest = args.slice(1);
  switch (args[0]) {
    case 'generate':
      return generate(parseArgs(rest, { flags: { for: true, alg: true, kid: true }, usage: KEYS_USAGE }));
    case 'list':
      return list(parseArgs(rest, { flags: { file: true, json: false }, usage: KEYS_USAGE }));
    case 'rotate':
      return rotate(
        parseArgs(rest, {
          flags: { file: true, alg: true, kid: true, 'active-in': true },
          usage: KEYS_USAGE,
        }),
      );
    default:
      throw new UsageError(
        args[0] === undefined ? 'keys needs a subcommand' : `unknown subcommand "${args[0].slice(0, 40)}"`,
        KEYS_USAGE,
      );
  }
}

/**
 * JWT: a one-key ring, `[{ kid, alg, activeFrom, jwk }]` on one line, as TESSERA_JWT_KEYS and the key file take
 * it. Sealed: `{ id, secret }`, a `SealKey` for `sealedSessions({ keys })`.
 */
function generate(parsed: ParsedArgs): number {
  const target = stringFlag(parsed, 'for') ?? 'jwt';
  const kid = stringFlag(parsed, 'kid');
  if (target === 'sealed') {
    if (parsed.flags.has('alg'))
      throw new UsageError('sealed keys have no --alg (always AES-256-GCM)', KEYS_USAGE);
    const entry = {
      id: kid ?? randomBytes(6).toString('base64url'),
      secret: randomBytes(32).toString('base64url'),
    };
    try {
      deriveSealKey(entry);
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^tessera: /, ''), KEYS_USAGE);
    }
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    return 0;
  }
  if (target !== 'jwt') throw new UsageError('--for must be jwt or sealed', KEYS_USAGE);
  const key = newJwtKey(parsed, Date.now(), 'EdDSA');
  process.stdout.write(`${JSON.stringify([exportJwtKey(key)])}\n`);
  return 0;
}

/** Public parts only: kid, algorithm, when it signs, and (asymmetric keys) the public JWK. */
async function list(parsed: ParsedArgs): Promise<number> {
  const file = stringFlag(parsed, 'file');
  const source: KeySource =
    file === undefined ? configuredSource() : { kind: 'file', path: file, label: printable(file) };
  const ring = source.kind === 'env' ? source.keys : await readKeyFile(source.path);
  const now = Date.now();
  const signing = ring.signingKey(now);
  const state = (key: JwtKey): string =>
    key === signing ? 'signing' : key.activeFrom > now ? 'next (published)' : 'verifying';
  if (parsed.flags.has('json')) {
    const rows = ring.keys.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      activeFrom: new Date(key.activeFrom).toISOString(),
      state: state(key),
      publicJwk: publicJwk(key),
    }));
    process.stdout.write(`${JSON.stringify({ source: source.label, keys: rows }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `tessera: ${ring.keys.length} key${ring.keys.length === 1 ? '' : 's'} in ${source.label}\n`,
  );
  process.stdout.write(
    table(
      ['KID', 'ALG', 'ACTIVE FROM', 'STATE'],
      ring.keys.map((key) => [key.kid, key.alg, new Date(key.activeFrom).toISOString(), state(key)]),
    ),
  );
  return 0;
}

/**
 * Adds a key to a key file and keeps every old one, so tokens they signed still verify through the overlap.
 * The new key signs `--active-in` seconds from now (published in the JWKS at once). Written atomically (0600).
 * Services read the file when they start: restart them (and stop one that rotates this file itself first).
 */
async function rotate(parsed: ParsedArgs): Promise<number> {
  const file = stringFlag(parsed, 'file');
  if (file === undefined) throw new UsageError('rotate needs --file <path>', KEYS_USAGE);
  const activeIn = stringFlag(parsed, 'active-in') ?? String(DEFAULT_ACTIVE_IN);
  if (!/^\d{1,9}$/.test(activeIn))
    throw new UsageError('--active-in must be a whole number of seconds', KEYS_USAGE);
  const ring = await readKeyFile(file);
  const now = Date.now();
  const current = ring.signingKey(now);
  const key = newJwtKey(parsed, now + Number(activeIn) * 1000, current.alg);
  if (ring.find(key.kid) !== undefined)
    throw new UsageError(`the file already holds a key "${key.kid}"`, KEYS_USAGE);
  await saveKeyFile(file, [...ring.keys, key]);
  process.stdout.write(
    `tessera: added key ${key.kid} (${key.alg}) to ${file}; it signs from ${new Date(key.activeFrom).toISOString()}\n` +
      `tessera: the file holds ${ring.keys.length + 1} keys: ${[...ring.keys.map((k) => k.kid), key.kid].join(', ')}\n`,
  );
  return 0;
}

function newJwtKey(parsed: ParsedArgs, activeFrom: number, fallback: JwtAlgorithm): JwtKey {
  const alg = (stringFlag(parsed, 'alg') ?? fallback) as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(alg)) throw new UsageError('--alg must be EdDSA, ES256 or HS256', KEYS_USAGE);
  try {
    return generateJwtKey(alg, activeFrom, stringFlag(parsed, 'kid'));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^tessera: /, ''), KEYS_USAGE);
  }
}

type KeySource =
  | { readonly kind: 'env'; readonly keys: JwtKeyRing; readonly label: string }
  | { readonly kind: 'file'; readonly path: string; readonly label: string };

/** Where the service takes its ring from: TESSERA_JWT_KEYS (validated by loadConfig), else the data folder. */
function configuredSource(): KeySource {
  const config = loadConfig(process.env);
  if (config.tokens.keys !== null) {
    const keys = new JwtKeyRing(parseKeyList(config.tokens.keys, 'TESSERA_JWT_KEYS').map(importJwtKey));
    return { kind: 'env', keys, label: 'TESSERA_JWT_KEYS' };
  }
  const path = join(config.dataDir, 'jwt-keys.json');
  return { kind: 'file', path, label: path };
}

/**
 * Reads and imports a key file. Failures name the file and the rule, never its content: a JSON parser's or a
 * crypto library's message can quote part of a private key.
 */
export async function readKeyFile(path: string): Promise<JwtKeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new KeyFileError(`cannot read the key file ${printable(path)} (${code})`);
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    process.stderr.write(
      `tessera: warning: ${printable(path)} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it\n`,
    );
  }
  try {
    return new JwtKeyRing(parseKeyList(text, 'the key file').map(importJwtKey));
  } catch {
    throw new KeyFileError(
      `${printable(path)} is not a usable key file: a JSON array of { kid, alg, activeFrom, jwk } with private JWKs`,
    );
  }
}

/** A key file that cannot be read or used: exit 1, with a message that quotes none of its content. */
export class KeyFileError extends Error {
  constructor(message: string) {
    super(`tessera: ${message}`);
    this.name = 'KeyFileError';
  }
}
