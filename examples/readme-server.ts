// The README's 15-line example, kept here so the typecheck proves it compiles. Keep the two in step.
import { createServer } from 'node:http';
import { cookieHeaders, createTessera, HttpSessions } from '../src/index.js';
import { authenticateNode, nodeRequestFacts, writeReply } from '../src/adapters/node/index.js';
import { SqliteStore } from '../src/stores/sqlite/index.js';

const manager = createTessera({ store: new SqliteStore({ path: './data/sessions.sqlite' }) });
const sessions = new HttpSessions(manager, { csrf: { secret: process.env.CSRF_SECRET } });

createServer(async (req, res) => {
  if (req.url === '/login' && req.method === 'POST' /* and the password checked out */) {
    const { setCookies } = await sessions.login(nodeRequestFacts(req), { subject: 'user-42' });
    return writeReply(res, { status: 204, headers: cookieHeaders(setCookies), body: '' });
  }
  const session = await authenticateNode(sessions, req, res); // 401, 440, 403 and 503 are answered for you
  if (session) res.end(`hello ${session.subject}`);
}).listen(3000);
