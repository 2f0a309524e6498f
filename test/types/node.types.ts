/** node:http: `openNode`, `authenticateNode` and `guardNode` carry the mode's `Data`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  appendCookies,
  applyNodeHeaders,
  authenticateNode,
  guardNode,
  nodeRequestFacts,
  openNode,
  writeReply,
} from '../../src/adapters/node/index.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { Session } from '../../src/core/session.js';
import type { SealedSessions } from '../../src/stateless/sealed/index.js';
import type { HttpReply } from '../../src/transport/reply.js';
import type { RequestFacts } from '../../src/transport/request.js';
import type { RequestSession } from '../../src/transport/request-session.js';
import { type AppData, appData, check, type Equal, type IsAny, type Not, sessions, use } from './helpers.js';

export async function open(
  req: IncomingMessage,
  res: ServerResponse,
  sealed: SealedSessions<AppData>,
): Promise<void> {
  const session = await openNode(sessions, req, res, { formToken: () => 'token' });
  check<Equal<typeof session, RequestSession<AppData> | null>>();
  check<Not<IsAny<typeof session>>>();
  if (session !== null) {
    check<Equal<typeof session.session, Session<AppData> | null>>();
    await session.login({ subject: 'u1', data: appData });
    // @ts-expect-error: data of another shape
    await session.login({ subject: 'u1', data: { tenant: 1 } });
  }
  const signedIn = await authenticateNode(sealed, req, res);
  check<Equal<typeof signedIn, Session<AppData> | null>>();
  if (signedIn !== null) {
    check<Equal<typeof signedIn.data, AppData>>();
    // @ts-expect-error: not a key of AppData
    use(signedIn.data.nope);
  }
  const result = await guardNode(sessions, req, res, { formToken: 'token' });
  check<Equal<typeof result, ValidationResult<AppData> | null>>();
  // @ts-expect-error: a form token is a string (or a function that finds it)
  await openNode(sessions, req, res, { formToken: 1 });
  // @ts-expect-error: the response is needed for the refusal and the cookies
  await openNode(sessions, req);
}

export function replies(req: IncomingMessage, res: ServerResponse, reply: HttpReply): void {
  check<Equal<ReturnType<typeof nodeRequestFacts>, RequestFacts>>();
  use(nodeRequestFacts(req));
  writeReply(res, reply);
  appendCookies(res, ['a=b']);
  applyNodeHeaders(res, [['vary', 'Cookie']]);
  // @ts-expect-error: headers are [name, value] pairs
  applyNodeHeaders(res, [['vary']]);
  // @ts-expect-error: a Tessera reply
  writeReply(res, 'body');
}
