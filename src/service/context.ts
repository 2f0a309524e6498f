import type { ServiceTokens } from './token-service.js';
import type { IncomingMessage } from 'node:http';
import type { SessionManager } from '../core/manager.js';
import type { SessionStore } from '../core/store.js';
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
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path pattern; `:name` segments are parameters (`/v1/sessions/:id`). */
  readonly path: string;
  /** `api-key`: needs `Authorization: Bearer <api key>`; `public`: open (health, admin page shell). */
  readonly auth: 'api-key' | 'public';
  handle(context: RequestContext): Promise<Reply>;
}
