/**
 * The latest `DPoP-Nonce` each server gave (RFC 9449 8), by origin: every answer may carry a new one, and the
 * next proof to that origin includes it. Kept in memory only: a new tab learns it from its first answer.
 */
export class NonceBook {
  readonly #byOrigin = new Map<string, string>();

  /** The nonce to put in a proof for `url`, if its server gave one. */
  for(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /** Remembers the answer's `DPoP-Nonce`; returns whether it was a new one. */
  learn(url: string, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    // RFC 9449 8.1: NQCHAR (visible ASCII without `"` and `\`).
    if (nonce === null || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return false;
    const origin = new URL(url).origin;
    if (this.#byOrigin.get(origin) === nonce) return false;
    this.#byOrigin.set(origin, nonce);
    return true;
  }
}

/** Whether a response is the server asking for a (new) nonce: 401 or 400 with `DPoP error="use_dpop_nonce"`. */
export function asksForNonce(response: Response): boolean {
  if (response.status !== 401 && response.status !== 400) return false;
  return /\berror="use_dpop_nonce"/.test(response.headers.get('www-authenticate') ?? '');
}

/** Whether a resource server refused the access token itself (expired or invalid), so a refresh may help. */
export function refusesToken(response: Response): boolean {
  if (response.status === 440) return true; // Tessera: the token's time ran out (session_expired)
  if (response.status !== 401) return false;
  return /\berror="invalid_token"/.test(response.headers.get('www-authenticate') ?? '');
}
