// The README's "Install and first app" file, with imports from ../src (test/docs/readme.test.ts keeps them equal)
import { scryptSync, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { createTessera, HttpSessions, MemoryStore } from '../src/index.js';
import { tesseraExpress } from '../src/adapters/express/index.js';

// One demo user. A real app keeps a per-user salted hash (scrypt, argon2id) in its database.
const salt = 'demo-only-salt';
const users = new Map([['ada', scryptSync('correct horse battery staple', salt, 32)]]);

const sessions = new HttpSessions(createTessera({ store: new MemoryStore() }), {
  csrf: { secret: process.env.CSRF_SECRET }, // >= 32 characters; unset: a random key per process
});
const auth = tesseraExpress(sessions);
const app = express();
app.use(express.urlencoded({ extended: false })); // before auth.middleware: the CSRF token is a form field
app.use(auth.middleware); // reads the cookie, renews it, refuses cross-site and tokenless POSTs (403)

app.get('/login', async (req, res) => {
  // A pre-login session, so that the login form carries a CSRF token too (login CSRF).
  if (auth.session(req) === null) await auth.startAnonymous(req, res);
  res.type('html').send(`<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${auth.csrfToken(req)}">
  <input name="user" autocomplete="username">
  <input name="password" type="password" autocomplete="current-password">
  <button>Sign in</button>
</form>`);
});

app.post('/login', async (req, res) => {
  const user = String(req.body.user);
  const hash = users.get(user);
  const ok = hash !== undefined && timingSafeEqual(hash, scryptSync(String(req.body.password), salt, 32));
  if (!ok) return res.redirect(303, '/login');
  await auth.login(req, res, { subject: user }); // a new token; the pre-login session ends
  res.redirect(303, '/');
});

app.get('/', (req, res) => {
  const session = auth.session(req);
  if (session === null || sessions.isAnonymous(session)) return res.redirect(303, '/login');
  res.type('html').send(`<p>Signed in as ${session.subject}</p>
<form method="post" action="/logout">
  <input type="hidden" name="_csrf" value="${auth.csrfToken(req)}">
  <button>Sign out</button>
</form>`);
});

app.post('/logout', async (req, res) => {
  await auth.logout(req, res);
  res.redirect(303, '/login');
});

app.use(auth.errorHandler); // a store fault in a handler: 503 with Retry-After

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`http://localhost:${port}/login`));
