/**
 * Access + refresh tokens over the service (docs/stateless.md):
 *   POST /v1/tokens          {token}         -> {accessToken, refreshToken, expiresIn, tokenType}
 *   POST /v1/tokens/refresh  {refreshToken}  -> a new pair (401 token_invalid, or 401 refresh_reused on theft)
 *   POST /v1/tokens/verify   {accessToken, strict?} -> {claims}
 *   GET  /.well-known/jwks.json (public)
 * Signing keys are created the first time these routes are used and kept in `<dataDir>/jwt-keys.json`
 * (mode 0600), unless TESSERA_JWT_KEYS gives them. Settings come from TESSERA_JWT_* / TESSERA_REFRESH_*.
 */
import { join } from 'node:path';
import type { SessionManager } from '../../core/manager.js';
import { AccessTokens } from '../../stateless/jwt/access-tokens.js';
import { JwtKeyRing, startKeyRotation } from '../../stateless/jwt/key-ring.js';
import { loadOrCreateKeyRing, parseKeyList } from '../../stateless/jwt/key-file.js';
import { importJwtKey, JWT_ALGORITHMS, type JwtAlgorithm } from '../../stateless/jwt/keys.js';
import { RefreshTokens } from '../../stateless/refresh/refresh-tokens.js';
import { loadOrCreateSecret } from '../../stateless/refresh/secret-file.js';
import type { Reply, RequestContext, Route, ServiceParts } from '../context.js';
import { allowOnly, clientFields, requiredString, tokenField } from '../fields.js';
import { HttpError, invalidField, outcomeError } from '../http-errors.js';

interface TokenService {
  readonly access: AccessTokens;
  readonly refresh: RefreshTokens;
}

/** Token settings from the environment, validated when the token routes are first used. */
export interface TokenSettings {
  issuer: string;
  audience: string[];
  ttl: number;
  alg: JwtAlgorithm;
  rotationInterval: number;
  prePublish: number;
  grace: number;
  familyLifetime: number;
  keys: string | null;
  refreshSecret: string | null;
}

export function tokenSettings(env: NodeJS.ProcessEnv): TokenSettings {
  const alg = (env.TESSERA_JWT_ALG ?? 'EdDSA') as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(alg)) throw new TypeError('TESSERA_JWT_ALG must be EdDSA, ES256 or HS256');
  const audience = (env.TESSERA_JWT_AUDIENCE ?? 'tessera').split(',').map((part) => part.trim());
  if (audience.some((part) => part === '')) throw new TypeError('TESSERA_JWT_AUDIENCE has an empty entry');
  const refreshSecret = env.TESSERA_REFRESH_SECRET ?? null;
  if (refreshSecret !== null && Buffer.byteLength(refreshSecret) < 32) {
    throw new TypeError('TESSERA_REFRESH_SECRET must be at least 32 bytes');
  }
  return {
    issuer: env.TESSERA_JWT_ISSUER ?? 'tessera',
    audience,
    ttl: seconds(env, 'TESSERA_JWT_TTL', 900, 86400),
    alg,
    rotationInterval: seconds(env, 'TESSERA_JWT_ROTATION_INTERVAL', 604800, 10 * 365 * 86400),
    prePublish: seconds(env, 'TESSERA_JWT_PREPUBLISH', 86400, 365 * 86400),
    grace: seconds(env, 'TESSERA_REFRESH_GRACE', 5, 120, 0),
    familyLifetime: seconds(env, 'TESSERA_REFRESH_LIFETIME', 604800, 10 * 365 * 86400),
    keys: env.TESSERA_JWT_KEYS ?? null,
    refreshSecret,
  };
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max} (seconds)`);
  }
  return value;
}

// One token service per running service (keyed by its manager), built on first use.
const built = new WeakMap<SessionManager, Promise<TokenService>>();

function tokensFor(service: ServiceParts): Promise<TokenService> {
  let pending = built.get(service.manager);
  if (pending === undefined) {
    pending = build(service);
    built.set(service.manager, pending);
    pending.catch(() => built.delete(service.manager));
  }
  return pending;
}

async function build(service: ServiceParts): Promise<TokenService> {
  const settings = tokenSettings(process.env);
  const manager = service.manager;
  const clock = manager.options.clock;
  const retainFor = settings.ttl + 5;
  const ring =
    settings.keys !== null
      ? new JwtKeyRing(parseKeyList(settings.keys, 'TESSERA_JWT_KEYS').map(importJwtKey), retainFor)
      : await loadOrCreateKeyRing(join(service.config.dataDir, 'jwt-keys.json'), {
          alg: settings.alg,
          retainFor,
          now: clock(),
        });
  // Keys given by the environment are the operator's to rotate; generated ones rotate on schedule.
  if (settings.keys === null) {
    startKeyRotation(ring, clock, { interval: settings.rotationInterval, prePublish: settings.prePublish });
  }
  const access = new AccessTokens({
    keys: ring,
    issuer: settings.issuer,
    audience: settings.audience,
    ttl: settings.ttl,
    clock,
    manager,
  });
  const secret =
    settings.refreshSecret ?? (await loadOrCreateSecret(join(service.config.dataDir, 'refresh-secret')));
  const refresh = new RefreshTokens({
    manager,
    accessTokens: access,
    secret,
    grace: settings.grace,
    familyLifetime: settings.familyLifetime,
  });
  return { access, refresh };
}

function pairReply(
  context: RequestContext,
  pair: { accessToken: string; refreshToken: string; expiresIn: number; claims: { sid: string } },
  status: number,
): Reply {
  context.sessionId = pair.claims.sid;
  return {
    status,
    headers: [['cache-control', 'no-store']],
    body: {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      tokenType: 'Bearer',
      expiresIn: pair.expiresIn,
    },
  };
}

export const tokenRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/tokens',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token', 'ip', 'userAgent']);
      const token = tokenField(body);
      const { refresh } = await tokensFor(context.service);
      const result = await refresh.exchange(token, clientFields(body));
      if (!result.ok) throw outcomeError(result);
      return pairReply(context, result, 201);
    },
  },
  {
    method: 'POST',
    path: '/v1/tokens/refresh',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['refreshToken', 'ip', 'userAgent']);
      const refreshToken = requiredString(body, 'refreshToken', 256);
      const { refresh } = await tokensFor(context.service);
      // The session's binding (address, user agent) applies to refreshes as to session tokens.
      const result = await refresh.refresh(refreshToken, clientFields(body));
      if (result.ok) return pairReply(context, result, 200);
      if (result.code === 'refresh_reused') {
        throw new HttpError(
          401,
          'refresh_reused',
          'This refresh token was already used; its session has been ended. Sign in again.',
        );
      }
      throw new HttpError(401, 'token_invalid', 'The refresh token is not valid.');
    },
  },
  {
    method: 'POST',
    path: '/v1/tokens/verify',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['accessToken', 'strict']);
      const accessToken = requiredString(body, 'accessToken', 8192);
      const strict = body.strict ?? false;
      if (typeof strict !== 'boolean') throw invalidField('strict', 'must be a boolean');
      const { access } = await tokensFor(context.service);
      const result = await access.verify(accessToken, { strict });
      if (!result.ok) {
        throw new HttpError(401, 'token_invalid', 'The access token is not valid.', {
          extra: { reason: result.reason },
        });
      }
      context.sessionId = result.claims.sid;
      return { status: 200, headers: [['cache-control', 'no-store']], body: { claims: result.claims } };
    },
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: 'public',
    async handle(context) {
      const { access } = await tokensFor(context.service);
      return {
        status: 200,
        // Short: a newly published key must reach verifiers before it signs (TESSERA_JWT_PREPUBLISH).
        headers: [['cache-control', 'public, max-age=300']],
        body: access.keys.jwks(),
      };
    },
  },
];

/** For tests and the CLI: the token service of a running service. */
export function tokenServiceFor(service: ServiceParts): Promise<TokenService> {
  return tokensFor(service);
}
