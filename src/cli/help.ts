import { PACKAGE_NAME } from './version.js';

export const HELP = `Usage: tessera <command>

Commands:
  serve     Start the HTTP session service (configured by TESSERA_* environment variables)
  migrate [--progress]
            Open the configured store once so its schema exists, then exit
  audit verify [file] [--progress]
            Check the audit trail's hash chain (default TESSERA_AUDIT_FILE); exit 1 if broken
  sessions end-all --yes [--reason <text>]
            End every session of every user in the configured store (sealed sessions and strictly
            verified access tokens issued before are refused too); prints how many ended
  sessions list <subject> [--json]
            A subject's live sessions: public id, created, last seen, expires, level, ip, user agent
  sessions revoke <session-id>
            End one session by its public id (exit 1 when no live session has it)
  sessions revoke-all <subject> [--except <session-id>]
            End a subject's sessions, optionally keeping one (exit 1 when none ended)
  sessions sweep [--batch <n>] [--progress]
            Remove expired sessions now, in batches of n [500], as the service's sweeper does
  keys generate [--for jwt|sealed] [--alg EdDSA|ES256|HS256] [--kid <id>]
            Print a new secret key: a JWT key ring for TESSERA_JWT_KEYS or a key file, or a sealed-cookie key
  keys list [--file <path>] [--json]
            The JWT key ring's kids, algorithms and activation times (never secret material); default
            TESSERA_JWT_KEYS, else <data dir>/jwt-keys.json
  keys rotate --file <path> [--alg <alg>] [--kid <id>] [--active-in <seconds>]
            Add a key to a key file, keeping the old ones; it signs after --active-in [86400] seconds
  doctor    Check configuration, data dir, store, schema, clock skew and key files; exit 1 if any fails
  version   Print the version
  help      Show this help
Exit codes: 0 done, 1 failed or nothing matched, 2 usage or configuration error. Progress of long work goes to
stderr when it is a terminal, or with --progress.

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
