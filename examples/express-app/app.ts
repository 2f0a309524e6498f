import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { type TesseraExpress, tesseraExpress } from '../../src/adapters/express/index.js';
import type { Clock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import type { CookieOptions } from '../../src/transport/cookie.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { type AppContext, type AppData, LEVEL_SUDO } from './context.js';
import { refusedHandler } from './refused.js';
import { OWASP_SCRYPT, type ScryptCost } from './passwords.js';
import { accountRoutes } from './routes/account.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { sessionRoutes } from './routes/sessions.js';
import { securityHeaders } from './security-headers.js';
import { Throttle } from './throttle.js';
import { UserStore } from './users.js';
import { errorPage } from './views/pages.js';

export interface ExampleAppOptions {
  /** Folder for `sessions.sqlite` (the Tessera SQLite store) and `users.sqlite` (accounts). */
  dataDir: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Host name in the printed URL. `localhost` is a secure context in browsers. @default 'localhost' */
  publicHost?: string;
  /** Time source, so tests move time instead of sleeping. @default Date.now */
  clock?: Clock;
  /**
   * Session cookie. The defaults (`__Host-session`, Secure, HttpOnly, SameSite=Strict) work on
   * http://localhost in Chromium, which treats localhost as a secure context.
   * Pass `{ development: true }` for a browser that drops Secure cookies on plain HTTP.
   * @default {}
   */
  cookie?: CookieOptions;
  /** CSRF token key (>= 32 characters). @default a random key per process */
  csrfSecret?: string;
  /** Session idle timeout in seconds. @default 1800 */
  idleTimeout?: number;
  /** Session absolute timeout in seconds. @default 43200 */
  absoluteTimeout?: number;
  /** Seconds a sudo confirmation stays fresh. @default 300 */
  sudoWindow?: number;
  /** scrypt cost for new password hashes. @default OWASP (N=2^17, r=8, p=1) */
  scryptCost?: ScryptCost;
  /** Gets every Tessera event (public session ids only, never tokens). */
  onEvent?: (event: TesseraEvent) => void;
}

export interface ExampleApp {
  /** e.g. `http://localhost:41234` */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly manager: SessionManager<AppData>;
  readonly auth: TesseraExpress<AppData>;
  readonly users: UserStore;
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Builds the example's Express app without listening (for embedding). */
export function createExampleApp(context: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use('/static', express.static(PUBLIC_DIR, { index: false, fallthrough: false }));
  // The body parser runs before the Tessera middleware: the CSRF form token is a body field.
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(context.auth.middleware);
  const router = express.Router();
  authRoutes(router, context);
  sessionRoutes(router, context);
  accountRoutes(router, context);
  apiRoutes(router, context);
  app.use(router);
  app.use((_req, res) => {
    res.status(404).type('html').send(errorPage('Not found', 'There is no page here.'));
  });
  app.use(context.auth.errorHandler);
  return app;
}

/** Starts the example app: SQLite sessions and users in `dataDir`, listening on `host:port`. */
export async function startExampleApp(options: ExampleAppOptions): Promise<ExampleApp> {
  const store = new SqliteStore({ path: join(options.dataDir, 'sessions.sqlite') });
  const clock = options.clock ?? Date.now;
  const sudoWindow = options.sudoWindow ?? 300;
  const manager = createTessera<AppData>({
    store,
    clock,
    // "Sign out all other sessions" needs the password re-entered within the sudo window (ASVS 5.0 7.5.2).
    endOthersRequires: { level: LEVEL_SUDO, maxAge: sudoWindow },
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    ...(options.absoluteTimeout === undefined ? {} : { absoluteTimeout: options.absoluteTimeout }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  const sessions = new HttpSessions<AppData>(manager, {
    cookie: options.cookie ?? {},
    // A browser app: the cookie is the only token carrier.
    bearer: false,
    csrf: options.csrfSecret === undefined ? {} : { secret: options.csrfSecret },
  });
  const users = new UserStore(join(options.dataDir, 'users.sqlite'), {
    cost: options.scryptCost ?? OWASP_SCRYPT,
    clock,
  });
  // Refused forms (a stale or cross-site CSRF token), bad requests and store faults get an HTML page.
  const auth = tesseraExpress(sessions, { onRefused: refusedHandler(sessions) });
  const context: AppContext = {
    auth,
    sessions,
    users,
    sudoWindow,
    throttle: new Throttle({ limit: 5, windowMs: 15 * 60 * 1000, clock }),
  };
  const app = createExampleApp(context);
  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const stopSweeper = manager.startSweeper();
  return {
    url: `http://${options.publicHost ?? 'localhost'}:${port}`,
    port,
    server,
    manager,
    auth,
    users,
    async close() {
      stopSweeper();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      users.close();
      await store.close();
    },
  };
}
