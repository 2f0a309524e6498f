/** (0) Bare node:http "hello": the ceiling of this machine, load generator included. Checks nothing. */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { listen } from './listen.js';

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/login') {
    // A cookie of the same size as a real one, so every target receives the same request bytes.
    response.writeHead(204, {
      'set-cookie': `sid=${randomBytes(56).toString('base64url')}; Path=/; HttpOnly`,
    });
    response.end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('hello');
});
listen(server);
