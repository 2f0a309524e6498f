/**
 * A token pair as the app's token endpoints answer it (docs/client.md): the shape `RefreshTokens` returns.
 * `tokenType`, when given, must be `DPoP`: a bearer pair would not be bound to this client's key.
 */
export interface TokenResponse {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly tokenType?: string;
}

/** What the client keeps in IndexedDB, next to its key. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token expires, by this browser's clock (ms): `expiresIn` after the answer arrived. */
  readonly expiresAt: number;
}

/** The stored form of a token response; null when the value is not a token pair. */
export function storedTokens(value: unknown, nowMs: number): StoredTokens | null {
  if (typeof value !== 'object' || value === null) return null;
  const { accessToken, refreshToken, expiresIn, tokenType } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken.length === 0) return null;
  if (typeof refreshToken !== 'string' || refreshToken.length === 0) return null;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) return null;
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'dpop')) {
    return null;
  }
  return { accessToken, refreshToken, expiresAt: nowMs + expiresIn * 1000 };
}

/** The `error.code` (Tessera's shape) or `error` (OAuth's) of a JSON error body; null when there is none. */
export async function errorCodeOf(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
    const code = (body.error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}
