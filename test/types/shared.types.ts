/** `adapters/shared/`: `sessionActions<Key, Data>`, the actions every framework adapter offers, keyed by its request. */
import { type SessionActions, sessionActions } from '../../src/adapters/shared/session-actions.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import type { IssuedCookieSession, SessionChange } from '../../src/transport/session-mode.js';
import { type AppData, appData, check, type Equal } from './helpers.js';

type Key = { id: number };

export async function actions(current: (key: Key) => RequestSession<AppData>): Promise<void> {
  const built = sessionActions(current, (key, session) => {
    check<Equal<typeof key, Key>>();
    check<Equal<typeof session, RequestSession<AppData>>>();
  });
  check<Equal<typeof built, SessionActions<Key, AppData>>>();
  const key: Key = { id: 1 };
  const issued = await built.login(key, { subject: 'u1', data: appData });
  check<Equal<typeof issued, IssuedCookieSession<AppData>>>();
  check<Equal<Awaited<ReturnType<typeof built.rotate>>, SessionChange<AppData>>>();
  // @ts-expect-error: keyed by the adapter's own request
  built.csrfToken('request');
  // @ts-expect-error: data of another shape
  await built.login(key, { subject: 'u1', data: { tenant: 1 } });
  // @ts-expect-error: the sync callback gets the same key type
  sessionActions(current, (key: string) => key);
}
