/**
 * (b) Express 5 + express-session with its default MemoryStore, configured as its README recommends
 * (resave: false, saveUninitialized: false). The cookie comes from a prior POST /login.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import express from 'express';
import session from 'express-session';
import { listen, OK_BODY, SUBJECT } from './listen.js';

declare module 'express-session' {
  interface SessionData {
    subject: string;
  }
}

const app = express();
app.disable('x-powered-by');
app.use(
  session({
    secret: randomBytes(32).toString('base64url'),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'strict', secure: false },
  }),
);
app.post('/login', (request, response) => {
  request.session.subject = SUBJECT;
  response.status(204).end();
});
app.get('/', (request, response) => {
  if (request.session.subject === undefined) {
    response.status(401).json({ error: { code: 'token_invalid' } });
    return;
  }
  response.type('application/json').send(OK_BODY);
});
listen(createServer(app));
