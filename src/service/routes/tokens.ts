/**
 * Access + refresh tokens over the service (docs/stateless.md):
 *   POST /v1/tokens          {token, audience?, dpop?} -> {accessToken, refreshToken, expiresIn, tokenType}
 *   POST /v1/tokens/refresh  {refreshToken, dpop?}  -> a new pair, same audience (401 token_invalid, or refresh_reused)
 *   POST /v1/tokens/verify   {accessToken, strict? = true, audience?, dpop?} -> {claims}
 * `dpop` is `{proof, method, url}`: the client's `DPoP` header and the request it signed it for (RFC 9449). With it,
 * the pair is bound to the proof's key (`tokenType: DPoP`); verify then needs a proof by that key for the token.
 *   GET  /.well-known/jwks.json (public)
 * The token engine is the app's (`service/token-service.ts`): signing keys are created the first time these
 * routes are used and kept in `<dataDir>/jwt-keys.json` (mode 0600), unless TESSERA_JWT_KEYS gives them.
 * Settings (TESSERA_JWT_* / TESSERA_REFRESH_*) are validated at start-up in `service/config.ts`.
 */
import type { Reply, RequestContext, Route } from '../context.js';
import { allowOnly, type Body, clientFields, optionalString, requiredString, tokenField } from '../fields.js';
import { HttpError, invalidField, outcomeError } from '../http-errors.js';
import { type DpopField, dpopField, proofKey, verifiedKey } from './token-dpop.js';

function pairReply(
  context: RequestContext,
  pair: {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    claims: { sid: string; cnf?: { jkt: string } };
  },
  status: number,
): Reply {
  context.sessionId = pair.claims.sid;
  return {
    status,
    headers: [['cache-control', 'no-store']],
    body: {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      // RFC 9449 5: a bound token's type is DPoP, so the client sends it with `Authorization: DPoP`.
      tokenType: pair.claims.cnf === undefined ? 'Bearer' : 'DPoP',
      expiresIn: pair.expiresIn,
    },
  };
}

/**
 * The optional `audience` field: one of TESSERA_JWT_AUDIENCE (ASVS 5.0 9.2.4: a token names one audience, chosen
 * per request). The value is never echoed back.
 */
function audienceField(body: Body, allowed: readonly string[]): string | undefined {
  const audience = optionalString(body, 'audience', 1024);
  if (audience !== undefined && !allowed.includes(audience)) {
    throw invalidField('audience', 'must be one of the audiences configured in TESSERA_JWT_AUDIENCE');
  }
  return audience;
}

export const tokenRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/tokens',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['token', 'ip', 'userAgent', 'audience', 'dpop']);
      const token = tokenField(body);
      const client = clientFields(body);
      const tokens = await context.service.tokens.get();
      const audience = audienceField(body, tokens.access.audience);
      const jkt = await proofKey(tokens, body);
      const result = await tokens.refresh.exchange(token, client, {
        ...(audience === undefined ? {} : { audience }),
        ...(jkt === undefined ? {} : { jkt }),
      });
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
      allowOnly(body, ['refreshToken', 'ip', 'userAgent', 'dpop']);
      const refreshToken = requiredString(body, 'refreshToken', 256);
      const tokens = await context.service.tokens.get();
      const jkt = await proofKey(tokens, body);
      // The session's binding (address, user agent) applies to refreshes as to session tokens.
      const result = await tokens.refresh.refresh(
        refreshToken,
        clientFields(body),
        jkt === undefined ? {} : { jkt },
      );
      if (result.ok) return pairReply(context, result, 200);
      if (result.code === 'token_invalid' && result.reason === 'dpop') {
        throw new HttpError(401, 'dpop_proof_invalid', 'This refresh token needs a DPoP proof by its key.', {
          headers: [['www-authenticate', tokens.dpop.challenge('invalid_dpop_proof')]],
          extra: { reason: 'binding' },
        });
      }
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
      allowOnly(body, ['accessToken', 'strict', 'audience', 'dpop']);
      const accessToken = requiredString(body, 'accessToken', 8192);
      // Strict by default (ASVS 5.0 7.4.1): a token of a logged-out session, or of a family ended on refresh
      // reuse, is refused at once. `strict: false` skips the store read and accepts such a token until it
      // expires (at most TESSERA_JWT_TTL).
      const strict = body.strict ?? true;
      if (typeof strict !== 'boolean') throw invalidField('strict', 'must be a boolean');
      const tokens = await context.service.tokens.get();
      // With `audience`, a token issued for another configured audience is refused (reason `audience`).
      const audience = audienceField(body, tokens.access.audience);
      const proof = dpopField(body);
      const result = await tokens.access.verify(
        accessToken,
        audience === undefined ? { strict } : { strict, audience },
      );
      if (!result.ok) {
        throw new HttpError(401, 'token_invalid', 'The access token is not valid.', {
          extra: { reason: result.reason },
        });
      }
      // RFC 9449 7: a bound token only with a proof by its key (never as a bearer token); with DPoP required, no
      // unbound token; a proof sent for an unbound token means the client used the DPoP scheme for a bearer one.
      const bound = result.claims.cnf?.jkt;
      const refuse = (): never => {
        throw new HttpError(401, 'token_invalid', 'The access token is not valid.', {
          headers: [['www-authenticate', tokens.dpop.challenge('invalid_token')]],
          extra: { reason: 'binding' },
        });
      };
      if (bound === undefined) {
        if (proof !== undefined || tokens.dpopRequired) refuse();
      } else {
        if (proof === undefined) refuse();
        const jkt = await verifiedKey(tokens.dpop, proof as DpopField, accessToken);
        if (jkt !== bound) refuse();
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
      const { access } = await context.service.tokens.get();
      return {
        status: 200,
        // Short: a newly published key must reach verifiers before it signs (TESSERA_JWT_PREPUBLISH).
        headers: [['cache-control', 'public, max-age=300']],
        body: access.keys.jwks(),
      };
    },
  },
];
