/**
 * The core generics every adapter's types flow from: `createTessera<Data>` → `SessionManager<Data>` →
 * `HttpSessions<Data>` (and the stateless modes) → `RequestSession<Data>`; `Session<Data>['data']` is `Data`.
 */
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session, SessionData } from '../../src/core/session.js';
import type { JsonObject } from '../../src/core/json.js';
import type { AccessTokenAuthenticator } from '../../src/stateless/jwt/index.js';
import type { SealedSessions } from '../../src/stateless/sealed/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import type { SessionAuthenticator } from '../../src/transport/authenticator.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { CookieSessionMode, LoginInput, SessionChange } from '../../src/transport/session-mode.js';
import {
  type AppData,
  appData,
  type Equal,
  type Expect,
  check,
  type Extends,
  type IsAny,
  type Not,
  type OtherData,
  use,
} from './helpers.js';

// Session data is a JSON object, never `any`.
export type SessionDataIsJson = Expect<Equal<SessionData, JsonObject>>;
export type SessionDataNotAny = Expect<Not<IsAny<SessionData>>>;
export type SessionDefault = Expect<Equal<Session['data'], SessionData>>;
export type SessionDataOfApp = Expect<Equal<Session<AppData>['data'], AppData>>;

// @ts-expect-error: data must be JSON (a Date is not)
export type NoDateData = Session<{ at: Date }>;
// @ts-expect-error: a function is not JSON either
export type NoFunctionData = Session<{ run: () => void }>;

export async function manager(): Promise<void> {
  const manager = createTessera<AppData>({ store: new MemoryStore() });
  check<Equal<typeof manager, SessionManager<AppData>>>();
  const untyped = createTessera({ store: new MemoryStore() });
  check<Equal<typeof untyped, SessionManager<SessionData>>>();

  const issued = await manager.create({ subject: 'u1', data: appData });
  check<Equal<typeof issued.session.data, AppData>>();
  await manager.create({ subject: 'u1' });
  // @ts-expect-error: data of another shape
  await manager.create({ subject: 'u1', data: { tenant: 1 } });
  // @ts-expect-error: a key `AppData` does not have
  await manager.create({ subject: 'u1', data: { ...appData, extra: true } });
  // @ts-expect-error: `role` is a union of two literals
  await manager.create({ subject: 'u1', data: { role: 'root', theme: 'x' } });
  // @ts-expect-error: the subject is required
  await manager.create({ data: appData });

  const result = await manager.validate('ts1.x.y');
  check<Equal<typeof result, ValidationResult<AppData>>>();
  if (result.ok) {
    check<Equal<typeof result.session.data, AppData>>();
    check<Equal<typeof result.session.data.role, 'admin' | 'user'>>();
    // @ts-expect-error: not a key of AppData
    use(result.session.data.nope);
  } else {
    check<Equal<typeof result.code, 'token_missing' | 'token_invalid' | 'session_expired'>>();
    // @ts-expect-error: a refusal has no session
    use(result.session);
  }
  const listed = await manager.list('u1');
  check<Equal<typeof listed, Session<AppData>[]>>();
}

export function modes(): void {
  // HttpSessions takes its Data from the manager.
  const sessions = new HttpSessions(createTessera<AppData>({ store: new MemoryStore() }));
  check<Equal<typeof sessions, HttpSessions<AppData>>>();
  check<Extends<HttpSessions<AppData>, CookieSessionMode<AppData>>>();
  check<Extends<HttpSessions<AppData>, SessionAuthenticator<AppData>>>();
  check<Equal<typeof sessions.manager, SessionManager<AppData>>>();
  // A mode for one Data is not a mode for another.
  check<Not<Extends<HttpSessions<AppData>, SessionAuthenticator<OtherData>>>>();
  // @ts-expect-error: a manager of other data
  const wrong: HttpSessions<AppData> = new HttpSessions(
    createTessera<OtherData>({ store: new MemoryStore() }),
  );
  check<Extends<SealedSessions<AppData>, CookieSessionMode<AppData>>>();
  check<Extends<AccessTokenAuthenticator<AppData>, SessionAuthenticator<AppData>>>();
  // Access tokens are not a cookie mode: no login through them.
  check<Not<Extends<AccessTokenAuthenticator<AppData>, CookieSessionMode<AppData>>>>();
  use(wrong);
}

export async function requestSession(session: RequestSession<AppData>): Promise<void> {
  check<Equal<typeof session.session, Session<AppData> | null>>();
  check<Equal<typeof session.result, ValidationResult<AppData>>>();
  const issued = await session.login({ subject: 'u1', data: appData, level: 2 });
  check<Equal<typeof issued.session, Session<AppData>>>();
  // @ts-expect-error: data of another shape
  await session.login({ subject: 'u1', data: { tenant: 1 } });
  // @ts-expect-error: the level is a number
  await session.login({ subject: 'u1', level: '2' });
  const change = await session.rotate();
  check<Equal<typeof change, SessionChange<AppData>>>();
  if (change.ok) {
    check<Equal<typeof change.session.data, AppData>>();
  } else {
    check<
      Equal<typeof change.code, 'token_missing' | 'token_invalid' | 'session_expired' | 'version_conflict'>
    >();
  }
  // @ts-expect-error: elevate needs a level
  await session.elevate();
  await session.startAnonymous(appData);
  // @ts-expect-error: pre-login data is Data too
  await session.startAnonymous({ tenant: 1 });
  check<Equal<LoginInput<AppData>['data'], AppData | undefined>>();
}
