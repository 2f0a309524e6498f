import { join } from 'node:path';
import type { SessionManager } from '../core/manager.js';
import { AccessTokens } from '../stateless/jwt/access-tokens.js';
import { loadOrCreateKeyRing } from '../stateless/jwt/key-file.js';
import { parseKeyList } from '../stateless/jwt/key-list.js';
import { JwtKeyRing, startKeyRotation } from '../stateless/jwt/key-ring.js';
import { importJwtKey } from '../stateless/jwt/keys.js';
import { RefreshTokens } from '../stateless/refresh/refresh-tokens.js';
import { DpopNonces } from '../stateless/dpop/nonces.js';
import { DpopProofs } from '../stateless/dpop/proofs.js';
import { loadOrCreateSecret } from '../stateless/refresh/secret-file.js';
import type { TokenSettings } from './config.js';

/** The access and refresh tokens of one running service. */
export interface TokenService {
  readonly access: AccessTokens;
  readonly refresh: RefreshTokens;
  /** DPoP proof verification (RFC 9449), its replay list in the service's store. */
  readonly dpop: DpopProofs;
  /** TESSERA_DPOP=required: no token is issued, refreshed or accepted without a proof. */
  readonly dpopRequired: boolean;
}

/**
 * The service's token engine, owned by the app: built on first use (signing keys and the refresh secret are
 * created in the data folder then, unless the environment gives them), and closed with the app, which stops
 * the key-rotation timer. No module-level state: two services in one process have two of these.
 */
export class ServiceTokens {
  readonly #settings: TokenSettings;
  readonly #dataDir: string;
  readonly #manager: SessionManager;
  #built: Promise<TokenService> | null = null;
  #stopRotation: (() => void) | null = null;
  #closed = false;

  constructor(settings: TokenSettings, dataDir: string, manager: SessionManager) {
    this.#settings = settings;
    this.#dataDir = dataDir;
    this.#manager = manager;
  }

  /** The token service, built the first time it is asked for (a failed build is tried again next time). */
  get(): Promise<TokenService> {
    if (this.#closed) return Promise.reject(new Error('tessera: the token service is closed'));
    if (this.#built === null) {
      const building = this.#build();
      this.#built = building;
      building.catch(() => {
        if (this.#built === building) this.#built = null;
      });
    }
    return this.#built;
  }

  /** Stops key rotation; later calls to `get` fail. */
  close(): void {
    this.#closed = true;
    this.#stopRotation?.();
    this.#stopRotation = null;
  }

  async #build(): Promise<TokenService> {
    const settings = this.#settings;
    const manager = this.#manager;
    const clock = manager.options.clock;
    const retainFor = settings.ttl + 5;
    const ring =
      settings.keys !== null
        ? new JwtKeyRing(parseKeyList(settings.keys, 'TESSERA_JWT_KEYS').map(importJwtKey), retainFor)
        : await loadOrCreateKeyRing(join(this.#dataDir, 'jwt-keys.json'), {
            alg: settings.alg,
            retainFor,
            now: clock(),
          });
    // Keys given by the environment are the operator's to rotate; generated ones rotate on schedule.
    if (settings.keys === null && !this.#closed) {
      this.#stopRotation = startKeyRotation(ring, clock, {
        interval: settings.rotationInterval,
        prePublish: settings.prePublish,
      });
    }
    const access = new AccessTokens({
      keys: ring,
      issuer: settings.issuer,
      audience: [...settings.audience],
      ttl: settings.ttl,
      clock,
      manager,
    });
    const secret =
      settings.refreshSecret ?? (await loadOrCreateSecret(join(this.#dataDir, 'refresh-secret')));
    const dataClaims = settings.dataClaims;
    const refresh = new RefreshTokens({
      manager,
      accessTokens: access,
      secret,
      grace: settings.grace,
      familyLifetime: settings.familyLifetime,
      ...(dataClaims.length === 0 ? {} : { claims: (session) => pickClaims(session.data, dataClaims) }),
    });
    const dpop = new DpopProofs({
      store: manager.store,
      clock,
      maxAge: settings.dpopMaxAge,
      // Every node derives the same nonces from the shared refresh secret (its own HKDF label inside).
      nonces: settings.dpopNonce ? new DpopNonces({ secret, clock }) : null,
    });
    return { access, refresh, dpop, dpopRequired: settings.dpop === 'required' };
  }
}

/** The session-data keys named by TESSERA_JWT_DATA_CLAIMS that the session has, as claims. */
function pickClaims(
  data: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const name of names) if (Object.hasOwn(data, name)) claims[name] = data[name];
  return claims;
}
