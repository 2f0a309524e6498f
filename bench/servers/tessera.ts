/**
 * (c)/(d) Tessera on node:http: every request is validated through HttpSessions + authenticateNode, exactly as
 * an application would do it. `node tessera.ts memory` or `node tessera.ts sqlite` (a WAL file in a temp folder).
 * Plain HTTP on loopback needs the cookie's explicit development switch; everything else is the default.
 */
import { createServer } from 'node:http';
import { createTessera } from '../../src/core/manager.js';
import { authenticateNode, nodeRequestFacts } from '../../src/adapters/node/index.js';
import { HttpSessions } from '../../src/transport/http-sessions.js';
import { openStore, type StoreKind } from '../lib/stores.js';
import { listen, OK_BODY, SUBJECT } from './listen.js';

const kind = (process.argv[2] ?? 'memory') as StoreKind;
const opened = await openStore(kind);
const sessions = new HttpSessions(createTessera({ store: opened.store }), { cookie: { development: true } });

const server = createServer(async (request, response) => {
  if (request.method === 'POST' && request.url === '/login') {
    const issued = await sessions.login(nodeRequestFacts(request), { subject: SUBJECT });
    response.writeHead(204, { 'set-cookie': issued.setCookies, 'cache-control': 'no-store' });
    response.end();
    return;
  }
  const session = await authenticateNode(sessions, request, response);
  if (session === null) return;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(OK_BODY);
});
listen(server, () => opened.close());
