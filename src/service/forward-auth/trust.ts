import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { inNetworkList } from '../../core/forwarded.js';
import type { AuthzSettings } from '../config.js';
import { HttpError } from '../http-errors.js';

/** The header a proxy sends its shared secret in (TESSERA_AUTHZ_SECRET). */
export const SECRET_HEADER = 'x-tessera-authz-secret';

/**
 * Refuses a caller that is not a trusted proxy: its socket address must be in TESSERA_AUTHZ_TRUSTED and, when
 * TESSERA_AUTHZ_SECRET is set, it must send one of the secrets. The backend API key is never accepted here: a
 * proxy that holds it could do everything the API does. The refusal does not say which check failed.
 */
export function checkCaller(request: IncomingMessage, settings: AuthzSettings): void {
  const address = request.socket.remoteAddress ?? '';
  const byNetwork = address !== '' && inNetworkList(address, settings.trusted);
  const presented = request.headers[SECRET_HEADER];
  const bySecret =
    settings.secrets.length === 0 ||
    (typeof presented === 'string' && secretMatches(presented, settings.secrets));
  if (!byNetwork || !bySecret) {
    throw new HttpError(
      403,
      'proxy_untrusted',
      'This caller may not use /v1/authz (see TESSERA_AUTHZ_TRUSTED and TESSERA_AUTHZ_SECRET).',
    );
  }
}

/**
 * Compares in constant time: both sides are hashed first (so lengths do not leak) and every secret is tried,
 * with no early exit, so timing does not tell which proxy's secret matched.
 */
function secretMatches(presented: string, secrets: readonly string[]): boolean {
  if (presented.length > 1024) return false;
  const given = createHash('sha256').update(presented).digest();
  let ok = false;
  for (const secret of secrets) {
    if (timingSafeEqual(given, createHash('sha256').update(secret).digest())) ok = true;
  }
  return ok && presented !== '';
}
