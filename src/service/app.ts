import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { ServiceTokens } from './token-service.js';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { createFileAuditTrail, type FileAuditTrail } from '../audit/file-trail.js';
import { recentEvents } from './console/events.js';
import { registerAuditMetrics } from '../audit/metrics.js';
import type { Clock } from '../core/clock.js';
import { type SessionManager, createTessera } from '../core/manager.js';
import { cryptoRandom, type RandomSource } from '../core/random.js';
import { containsTokenShape } from '../core/token.js';
import type { SessionStore } from '../core/store.js';
import { HttpSessions } from '../transport/http-sessions.js';
import { DeviceBoundSessions } from '../transport/dbsc/device-sessions.js';
import { loadOrCreateSecret } from '../stateless/refresh/secret-file.js';
import { type ApiKeyResult, apiKeyMatches, loadOrCreateApiKey } from './api-key.js';
import { ConfigError, engineOptions, type HttpLimits, type ServiceConfig } from './config.js';
import { prepareDataDir } from './data-dir.js';
import type { Reply, RequestContext, ServiceParts } from './context.js';
import { classifyError, errorBody, HttpError } from './http-errors.js';
import { readJsonObject } from './json.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { timedStore } from './store-metrics.js';
import { Router } from './router.js';
import { routes } from './routes/index.js';
import { openStore } from './store-from-url.js';

export interface ServiceDeps {
  /** Time source for the engine (tests move a manualClock). @default Date.now */
  clock?: Clock;
  /** CSPRNG for tokens and a generated API key. @default node:crypto */
  random?: RandomSource;
  /** A store to use instead of opening `config.store`. The service closes it on `close()`. */
  store?: SessionStore;
  /** Where log lines go. @default process.stdout */
  log?: (line: string) => void;
}

export interface Service {
  readonly server: Server;
  readonly manager: SessionManager;
  readonly config: ServiceConfig;
  /** The API key and whether this start created it (print it once when `created`). */
  readonly apiKey: ApiKeyResult;
  readonly logger: Logger;
  /** The append-only audit trail (`TESSERA_AUDIT_FILE`), or null when it is off. */
  readonly audit: FileAuditTrail | null;
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, stops the sweeper and closes the store. */
  close(): Promise<void>;
}

/** How long `close()` waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Builds the HTTP service over a session manager and a store. It does not listen until `listen()`. */
export async function createService(config: ServiceConfig, deps: ServiceDeps = {}): Promise<Service> {
  const random = deps.random ?? cryptoRandom;
  const logger = createLogger(config.logLevel, deps.log);
  await prepareDataDir(config);
  const apiKey = await loadOrCreateApiKey(config.apiKey, config.dataDir, random);
  const audit = await openAuditTrail(config, logger);
  const metrics = new Metrics();
  const store = timedStore(
    deps.store ??
      (await openStore(config.store, { dataDir: config.dataDir }).catch(async (error: unknown) => {
        await audit?.close();
        throw error;
      })),
    metrics,
  );
  const manager = createTessera({
    store,
    ...engineOptions(config),
    random,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    onEvent: metrics.event,
  });
  if (audit !== null) {
    manager.on('*', audit.listener);
    registerAuditMetrics(metrics.registry, () => audit.stats());
  }
  const sessions = new HttpSessions(manager, {
    cookie: {
      ...config.cookie,
      development: !config.cookie.secure,
      unsafeAllowUnprefixedName: config.unprefixedCookie,
    },
  });
  const deviceBound =
    config.dbsc === 'off'
      ? null
      : new DeviceBoundSessions({
          secret: config.dbscSecret ?? (await loadOrCreateSecret(join(config.dataDir, 'dbsc-secret'))),
          mode: config.dbsc,
        });
  const authzSessions = new HttpSessions(manager, {
    cookie: {
      ...config.cookie,
      development: !config.cookie.secure,
      unsafeAllowUnprefixedName: config.unprefixedCookie,
    },
    csrf: { requireToken: false },
    ...(deviceBound === null ? {} : { deviceBound }),
  });
  const tokens = new ServiceTokens(config.tokens, config.dataDir, manager);
  const parts: ServiceParts = {
    config,
    manager,
    sessions,
    authzSessions,
    deviceBound,
    store,
    metrics,
    tokens,
  };
  // Without an audit file the console's security feed keeps recent events in memory: from the start.
  if (audit === null) recentEvents(parts);
  const router = new Router(routes);
  const server = createServer(serverOptions(config.http), (request, response) => {
    void handle(request, response, {
      parts,
      router,
      logger,
      metrics,
      apiKey: apiKey.key,
      closing: () => closing !== null,
    });
  });
  server.keepAliveTimeout = config.http.keepAliveTimeout;
  server.maxConnections = config.http.maxConnections;
  const stopDropWarnings = warnOnDroppedConnections(server, logger, config.http.maxConnections);
  // node hands a CONNECT request to 'connect' listeners, and with none it drops the connection unanswered.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const body = JSON.stringify(
      errorBody(new HttpError(405, 'method_not_allowed', 'CONNECT is not supported here.')),
    );
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nCache-Control: no-store\r\n' +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  const stopSweeper = manager.startSweeper(config.sweepInterval);
  let closing: Promise<void> | null = null;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopSweeper();
      stopDropWarnings();
      tokens.close();
      if (server.listening) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
      }
      // After the last request, so every event of the run is on disk before we exit.
      await audit?.close();
      try {
        await store.close();
      } catch (error) {
        logger.error('store close failed', { error: (error as Error).message });
      }
    })();
    return closing;
  };

  return {
    server,
    manager,
    config,
    apiKey,
    logger,
    audit,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close,
  };
}

/** node:http's timeouts, checked every quarter of the shorter one (at most every second). */
function serverOptions(limits: HttpLimits): ServerOptions {
  const shortest = Math.min(limits.headersTimeout, limits.requestTimeout);
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    // node's default (30 s) would let a client keep a socket up to 30 s past a 10 s limit.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(shortest / 4))),
  };
}

/** How often, at most, a full server says in the log that it turns connections away. */
const DROP_WARNING_INTERVAL_MS = 60_000;

/** Logs (at most once a minute, with the count) that connections over TESSERA_MAX_CONNECTIONS were closed. */
function warnOnDroppedConnections(server: Server, logger: Logger, limit: number): () => void {
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    if (dropped === 0) return;
    logger.warn('connections refused: TESSERA_MAX_CONNECTIONS reached', { limit, dropped });
    dropped = 0;
  };
  server.on('drop', () => {
    dropped++;
    if (timer !== null) return;
    // The first drop is logged at once; later ones are counted into the next line.
    flush();
    timer = setTimeout(flush, DROP_WARNING_INTERVAL_MS);
    timer.unref();
  });
  return () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}

/**
 * Opens the audit trail before serving. A trail that cannot be opened stops the start (an operator asked for
 * it); later write failures are logged and counted, and never fail a request.
 */
async function openAuditTrail(config: ServiceConfig, logger: Logger): Promise<FileAuditTrail | null> {
  if (config.auditFile === null) return null;
  const path = config.auditFile;
  const trail = createFileAuditTrail({
    path,
    key: config.auditKey,
    onError: (error) =>
      logger.error('audit trail write failed', { file: path, error: error.message.slice(0, 200) }),
  });
  const failure = await trail.ready;
  if (failure !== null) {
    await trail.close();
    throw new ConfigError('TESSERA_AUDIT_FILE', `cannot be opened: ${failure.message.slice(0, 200)}`);
  }
  return trail;
}

interface HandlerState {
  readonly parts: ServiceParts;
  readonly router: Router;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly apiKey: string;
  /** True once `close()` began: replies then say `Connection: close` so keep-alive sockets end promptly. */
  readonly closing: () => boolean;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  state: HandlerState,
): Promise<void> {
  const started = performance.now();
  const method = request.method ?? 'GET';
  const raw = request.url ?? '/';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  let route = 'unmatched';
  const context: RequestContext = {
    request,
    params: {},
    query: new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1)),
    service: state.parts,
    body: () => readJsonObject(request),
    sessionId: null,
  };
  let reply: Reply;
  try {
    // OWASP: tokens in URLs leak through logs, history and Referer; refuse rather than read them.
    if (containsTokenShape(raw)) {
      throw new HttpError(400, 'invalid_request', 'Tokens must be sent in the JSON body, never in the URL.');
    }
    const match = state.router.match(method, path);
    if (match.kind === 'not_found') throw new HttpError(404, 'not_found', 'No such endpoint.');
    if (match.kind === 'method_not_allowed') {
      route = match.pattern;
      throw new HttpError(405, 'method_not_allowed', `Use ${match.allow.join(', ')} here.`, {
        headers: [['allow', match.allow.join(', ')]],
      });
    }
    route = match.route.path;
    (context as { params: Record<string, string> }).params = match.params;
    if (match.route.auth === 'api-key' && !apiKeyMatches(request.headers.authorization, state.apiKey)) {
      throw new HttpError(401, 'api_key_invalid', 'Send the API key as Authorization: Bearer <key>.', {
        headers: [['www-authenticate', 'Bearer realm="tessera-api"']],
      });
    }
    reply = await match.route.handle(context);
  } catch (thrown) {
    const { error, kind } = classifyError(thrown);
    if (kind === 'store') {
      state.metrics.storeError();
      const cause = (thrown as Error).cause;
      state.logger.error('store unavailable', {
        route,
        error: (thrown as Error).message,
        cause: cause instanceof Error ? cause.message.slice(0, 200) : null,
      });
    } else if (kind === 'internal') {
      state.metrics.internalError();
      state.logger.error('internal error', {
        route,
        error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}`.slice(0, 300) : typeof thrown,
        stack: thrown instanceof Error ? (thrown.stack ?? null) : null,
      });
    }
    reply = { status: error.status, headers: error.headers, body: errorBody(error) };
  }
  if (state.closing()) reply = { ...reply, headers: [...(reply.headers ?? []), ['connection', 'close']] };
  write(response, reply);
  const seconds = (performance.now() - started) / 1000;
  state.metrics.request(method, route, reply.status, seconds);
  const refused = refusalCode(reply);
  if (refused !== null) state.metrics.refusal(route, refused);
  state.logger.info('request', {
    method,
    route,
    status: reply.status,
    durationMs: Math.round(seconds * 100_000) / 100,
    sessionId: context.sessionId ?? undefined,
  });
  if (!request.complete) {
    // The body was refused unread (413): give the reply a moment to leave, then drop the connection.
    response.once('finish', () => setTimeout(() => request.destroy(), 1000).unref());
  }
}

/** The stable code of a refusal (an error body's `code`, or `X-Tessera-Code` from `/v1/authz`), else null. */
function refusalCode(reply: Reply): string | null {
  if (reply.status < 400) return null;
  const code = (reply.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (typeof code === 'string') return code;
  return reply.headers?.find(([name]) => name === 'x-tessera-code')?.[1] ?? null;
}

function write(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | string[]> = {
    // Every answer may carry a token or session metadata: never cached (every reply that carries a token is no-store).
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': randomUUID(),
  };
  let body = '';
  if (reply.raw !== undefined) body = reply.raw;
  else if (reply.body !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(reply.body);
  }
  for (const [name, value] of reply.headers ?? []) {
    const existing = headers[name];
    if (name === 'set-cookie' && existing !== undefined) {
      headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    } else headers[name] = value;
  }
  if (reply.status !== 204 && reply.status !== 304)
    headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(reply.status, reply.status === 440 ? 'Login Time-out' : undefined, headers);
  response.end(reply.status === 204 ? undefined : body);
}
