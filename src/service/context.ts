import type { ServiceTokens } from './token-service.js';
import type { IncomingMessage } from 'node:http';
import type { SessionManager } from '../core/manager.js';
import type { SessionStore } from '../core/store.js';
import type { DeviceBoundSessions } from '../transport/dbsc/device-sessions.js';
import type { HttpSessions } from '../transport/http-sessions.js';
import type { ServiceConfig } from './config.js';
import type { Metrics } from './metrics.js';

/** What a route handler returns. `body` is sent as JSON; `raw` as is (with its own content-type header). */
export interface Reply {
  readonly status: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: unknown;
  readonly raw?: string;
}

/** Shared parts of the running service that handlers use. */
export interface ServiceParts {
  readonly config: ServiceConfig;
  readonly manager: SessionManager;
  readonly sessions: HttpSessions;
  /**
   * Sessions as `/v1/authz` reads them for a proxy: the same cookie, and the CSRF origin checks (Fetch Metadata,
   * Origin, Referer) on unsafe forwarded methods, without the form token an upstream with no code cannot send.
   */
  readonly authzSessions: HttpSessions;
  /** Device Bound Session Credentials on the `/v1/authz` path (TESSERA_DBSC), or null when off. */
  readonly deviceBound: DeviceBoundSessions | null;
  readonly store: SessionStore;
  readonly metrics: Metrics;
  /** The access- and refresh-token engine, built on first use and closed with the app. */
  readonly tokens: ServiceTokens;
}

export interface RequestContext {
  readonly request: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly service: ServiceParts;
  /** Reads the JSON object body (415/400/413 on bad input). */
  body(): Promise<Record<string, unknown>>;
  /** The public session id the request concerned, for the request log. Never a token. */
  sessionId: string | null;
}

export interface Route {
  /** `*`: any method (the forward-auth endpoint answers whatever method a proxy sends). */
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | '*';
  /**
   * Path pattern; `:name` segments are parameters (`/v1/sessions/:id`); a last segment `*` matches one or more
   * segments, kept raw in `params['*']` (`/v1/authz/*`).
   */
  readonly path: string;
  /**
   * `api-key`: needs `Authorization: Bearer <api key>`; `public`: open (health, admin page shell);
   * `trusted-proxy`: callers trusted by network and optional shared secret, checked by the handler (`/v1/authz`).
   */
  readonly auth: 'api-key' | 'public' | 'trusted-proxy';
  handle(context: RequestContext): Promise<Reply>;
}
