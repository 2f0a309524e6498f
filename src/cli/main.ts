#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyAuditTrail } from '../audit/verify.js';
import { createTessera } from '../core/manager.js';
import { createService } from '../service/app.js';
import { ConfigError, loadConfig } from '../service/config.js';
import { openStore } from '../service/store-from-url.js';

/** The npm name (`tessera` on npm is an unrelated package); the command stays `tessera`. */
const PACKAGE_NAME = '@tessera-sessions/tessera';

const HELP = `Usage: tessera <command>

Commands:
  serve     Start the HTTP session service (configured by TESSERA_* environment variables)
  migrate   Open the configured store once so its schema exists, then exit
  audit verify [file]
            Check the audit trail's hash chain (default TESSERA_AUDIT_FILE); exit 1 if broken
  sessions end-all --yes [--reason <text>]
            End every session of every user in the configured store (sealed sessions and strictly
            verified access tokens issued before are refused too); prints how many ended
  version   Print the version
  help      Show this help

Environment (defaults in brackets):
  TESSERA_PORT [4455]   TESSERA_HOST [127.0.0.1]   TESSERA_DATA_DIR [./data]
  TESSERA_STORE [sqlite:<data dir>/tessera.sqlite]   (memory:, sqlite:<path>, a file path,
                postgres://…, redis://…, rediss://… or redis-cluster://host:port,host:port)
  TESSERA_IDLE_TIMEOUT [1800]   TESSERA_ABSOLUTE_TIMEOUT [43200]   (seconds)
  TESSERA_API_KEY [generated on first start into <data dir>/api-key]
  TESSERA_COOKIE_NAME [__Host-session]   (must start with __Host- or __Secure-)
  TESSERA_DEV_INSECURE_COOKIE [0]   TESSERA_UNSAFE_UNPREFIXED_COOKIE [0]   (1 accepts an unprefixed name)
  TESSERA_MAX_SESSIONS_PER_SUBJECT [none]   TESSERA_SESSION_OVERFLOW [evict-oldest]
  TESSERA_SWEEP_INTERVAL [60]   TESSERA_LOG_LEVEL [info]
  TESSERA_AUDIT_FILE [<data dir>/audit.jsonl, or off]   TESSERA_AUDIT_KEY [none: subjects in clear]
  TESSERA_AUTHZ_TRUSTED [127.0.0.0/8,::1]   TESSERA_AUTHZ_SECRET [none]   (who may call /v1/authz)
  TESSERA_AUTHZ_LOGIN_URL [none]   TESSERA_AUTHZ_JWT [0]   (forward auth for proxies: docs/proxy.md)
See docs/API.md (in the ${PACKAGE_NAME} package).
`;

function version(): string {
  // Works from src/cli (tsx) and dist/src/cli (built): walk up to the package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here; look one folder up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const service = await createService(config);
  if (service.apiKey.created) {
    // Shown this once, on the start that created it; later starts read it from the file without printing.
    process.stdout.write(
      `tessera: generated an API key and saved it to ${service.apiKey.path} (mode 0600).\n` +
        `tessera: it is shown only this once:\n${service.apiKey.key}\n`,
    );
  }
  const address = await service.listen();
  service.logger.info('listening', {
    host: address.address,
    port: address.port,
    store: service.manager.store.kind,
    version: version(),
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    service.logger.info('shutting down', { signal });
    service.close().then(
      () => {
        service.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        service.logger.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function migrate(): Promise<void> {
  const config = loadConfig(process.env);
  const store = await openStore(config.store, { dataDir: config.dataDir });
  try {
    // Stores with versioned schemas (PostgreSQL) expose migrate(); the others create what they need on open.
    const migratable = store as { migrate?: () => Promise<number[]> };
    if (typeof migratable.migrate === 'function') {
      const applied = await migratable.migrate();
      process.stdout.write(
        `tessera: ${applied.length === 0 ? 'schema already up to date' : `applied migrations ${applied.join(', ')}`}\n`,
      );
    }
    await store.ping();
  } finally {
    await store.close();
  }
  process.stdout.write(`tessera: ${store.kind} store is ready\n`);
}

/** `tessera audit verify [file]`: 0 when the chain is intact, 1 when broken, 2 on a usage error. */
async function audit(args: readonly string[]): Promise<number> {
  if (args[0] !== 'verify' || args.length > 2) {
    process.stderr.write('Usage: tessera audit verify [file]\n');
    return 2;
  }
  const file = args[1] ?? loadConfig(process.env).auditFile;
  if (file === null) {
    process.stderr.write('tessera: the audit trail is off (TESSERA_AUDIT_FILE=off); name a file to verify\n');
    return 2;
  }
  const result = await verifyAuditTrail(file);
  if (!result.ok) {
    process.stderr.write(
      `tessera: audit trail ${file} is BROKEN at ${result.message} (${result.reason}); ` +
        `${result.records} records verified before it\n`,
    );
    return 1;
  }
  const torn =
    result.recovered.length === 0 ? '' : `, torn writes recovered at lines ${result.recovered.join(', ')}`;
  process.stdout.write(
    `tessera: audit trail ${file} is intact: ${result.records} records, last seq ${result.lastSeq}${torn}\n` +
      `tessera: head ${result.head} (keep it elsewhere to detect a later cut of the tail)\n`,
  );
  return 0;
}

const END_ALL_USAGE = 'Usage: tessera sessions end-all --yes [--reason <text>]\n';

/**
 * `tessera sessions end-all --yes`: ends every session of every user (ASVS 5.0 7.4.5) in the store that
 * TESSERA_STORE names, through the manager (cut-off first, then removal). 0 when done, 2 on a usage error or
 * without `--yes`, 1 on a store fault.
 */
async function sessions(args: readonly string[]): Promise<number> {
  if (args[0] !== 'end-all') {
    process.stderr.write(END_ALL_USAGE);
    return 2;
  }
  let yes = false;
  let reason: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--yes') yes = true;
    else if (arg === '--reason' && i + 1 < args.length) reason = args[++i] as string;
    else {
      process.stderr.write(`tessera: unknown argument "${arg.slice(0, 40)}"\n${END_ALL_USAGE}`);
      return 2;
    }
  }
  if (!yes) {
    process.stderr.write(
      'tessera: sessions end-all signs out every user of every node on this store, at once and for good.\n' +
        'tessera: nothing was changed; run it again with --yes to confirm.\n',
    );
    return 2;
  }
  const config = loadConfig(process.env);
  const store = await openStore(config.store, { dataDir: config.dataDir });
  let ended: number;
  try {
    // The service's absolute timeout: the store-wide cut-off is kept as long as a session could live.
    const manager = createTessera({
      store,
      idleTimeout: config.idleTimeout,
      absoluteTimeout: config.absoluteTimeout,
    });
    ended = await manager.endEverySession(reason === undefined ? {} : { reason });
  } finally {
    await store.close();
  }
  process.stdout.write(
    `tessera: ended ${ended} session${ended === 1 ? '' : 's'} in the ${store.kind} store\n`,
  );
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'migrate':
      await migrate();
      return 0;
    case 'audit':
      return audit(argv.slice(1));
    case 'sessions':
      return sessions(argv.slice(1));
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`tessera: unknown command "${command.slice(0, 40)}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`tessera: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    // Tessera's own errors already start with "tessera: " (a missing store driver, a bad option).
    process.stderr.write(`${message.startsWith('tessera: ') ? '' : 'tessera: '}${message}\n`);
    process.exit(1);
  },
);
