/**
 * Every `TESSERA_*` variable the service and the CLI read. A variable of that prefix that is not here is most
 * likely a typo (one letter missing from a known name), which would otherwise be ignored in silence and leave a default in
 * force: `unknownVariableWarnings` names the nearest known one. `test/service/env-names.test.ts` keeps this list
 * equal to the names the source reads.
 */
export const KNOWN_VARIABLES: readonly string[] = Object.freeze([
  'TESSERA_ABSOLUTE_TIMEOUT',
  'TESSERA_API_KEY',
  'TESSERA_AUDIT_FILE',
  'TESSERA_AUDIT_KEY',
  'TESSERA_AUTHZ_JWT',
  'TESSERA_AUTHZ_LOGIN_URL',
  'TESSERA_AUTHZ_SECRET',
  'TESSERA_AUTHZ_TRUSTED',
  'TESSERA_COOKIE_NAME',
  'TESSERA_DATA_DIR',
  'TESSERA_DBSC',
  'TESSERA_DBSC_SECRET',
  'TESSERA_DEV_INSECURE_COOKIE',
  'TESSERA_HEADERS_TIMEOUT_MS',
  'TESSERA_HOST',
  'TESSERA_IDLE_TIMEOUT',
  'TESSERA_JWT_ALG',
  'TESSERA_JWT_AUDIENCE',
  'TESSERA_JWT_ISSUER',
  'TESSERA_JWT_KEYS',
  'TESSERA_DPOP',
  'TESSERA_DPOP_MAX_AGE',
  'TESSERA_DPOP_NONCE',
  'TESSERA_JWT_DATA_CLAIMS',
  'TESSERA_JWT_PREPUBLISH',
  'TESSERA_JWT_ROTATION_INTERVAL',
  'TESSERA_JWT_TTL',
  'TESSERA_KEEP_ALIVE_TIMEOUT_MS',
  'TESSERA_LOG_LEVEL',
  'TESSERA_MAX_CONNECTIONS',
  'TESSERA_MAX_SESSIONS_PER_SUBJECT',
  'TESSERA_PORT',
  'TESSERA_REFRESH_GRACE',
  'TESSERA_REFRESH_LIFETIME',
  'TESSERA_REFRESH_SECRET',
  'TESSERA_REQUEST_TIMEOUT_MS',
  'TESSERA_SESSION_OVERFLOW',
  'TESSERA_STORE',
  'TESSERA_SWEEP_INTERVAL',
  'TESSERA_UNSAFE_UNPREFIXED_COOKIE',
]);

/** One warning per `TESSERA_*` variable of `env` that Tessera does not read, naming the nearest known one. */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(KNOWN_VARIABLES);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('TESSERA_') || known.has(name)) continue;
    // Only the name is quoted, never the value (it may be a secret).
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
    const nearest = nearestName(name);
    warnings.push(
      nearest === null
        ? `${shown} is not a Tessera setting and is ignored`
        : `${shown} is not a Tessera setting and is ignored; did you mean ${nearest}?`,
    );
  }
  return warnings;
}

/** The known name closest to `name` by edit distance, when it is close enough to be a typo. */
function nearestName(name: string): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of KNOWN_VARIABLES) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 5)) ? best : null;
}

/** Levenshtein distance (insertions, deletions, substitutions), for short ASCII names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
