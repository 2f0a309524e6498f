/** (a) The floor server: node:http plus the minimal signed-id check of floor-check.ts. */
import { createServer } from 'node:http';
import { FloorSessions } from './floor-check.js';
import { listen, OK_BODY, SUBJECT } from './listen.js';

const sessions = new FloorSessions();

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/login') {
    response.writeHead(204, { 'set-cookie': sessions.login(SUBJECT) });
    response.end();
    return;
  }
  if (sessions.check(request.headers.cookie) === null) {
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end('{"error":{"code":"token_invalid"}}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(OK_BODY);
});
listen(server);
