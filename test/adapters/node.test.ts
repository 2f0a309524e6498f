import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { appendCookies, guardNode, nodeRequestFacts, writeReply } from '../../src/adapters/node/index.js';
import type { ValidationResult } from '../../src/core/outcome.js';
import { levelRequiredReply, sessionRequiredReply } from '../../src/transport/guard.js';
import type { HttpSessions } from '../../src/transport/http-sessions.js';
import { errorReply } from '../../src/transport/reply.js';
import { listen } from './listen.js';
import { runAdapterMatrix } from './matrix.js';

/** node:http parses nothing: the app reads the urlencoded body itself and hands the field to the guard. */
async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return new URLSearchParams();
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(response: ServerResponse, body: unknown): void {
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

async function handle(
  sessions: HttpSessions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const form = await readForm(request);
  const result = await guardNode(sessions, request, response, { formToken: form.get('_csrf') });
  if (result === null) return;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const route = `${request.method} ${url.pathname}`;
  const refuse = (check: (r: ValidationResult) => ReturnType<typeof sessionRequiredReply>): boolean => {
    const refusal = check(result);
    if (refusal !== null) writeReply(response, refusal);
    return refusal !== null;
  };
  const needSession = () => refuse((r) => sessionRequiredReply(sessions, r));
  const session = result.ok ? result.session : null;
  switch (route) {
    case 'GET /public':
      return json(response, { session: session?.id ?? null });
    case 'GET /anonymous': {
      const issued = await sessions.startAnonymous(facts(request));
      appendCookies(response, issued.setCookies);
      return json(response, { id: issued.session.id, csrf: sessions.csrfToken(issued.session) });
    }
    case 'GET /csrf':
      return json(response, { csrf: session === null ? null : sessions.csrfToken(session) });
    case 'GET /me':
      if (needSession() || session === null) return;
      return json(response, { id: session.id, subject: session.subject, level: session.level });
    case 'POST /login': {
      const issued = await sessions.login(facts(request), { subject: url.searchParams.get('subject') ?? '' });
      appendCookies(response, issued.setCookies);
      return json(response, { id: issued.session.id });
    }
    case 'POST /logout': {
      const ended = await sessions.logout(facts(request));
      appendCookies(response, ended.setCookies);
      return json(response, { revoked: ended.revoked });
    }
    case 'POST /rotate':
    case 'POST /elevate': {
      if (needSession()) return;
      const rotation =
        route === 'POST /rotate'
          ? await sessions.rotate(facts(request))
          : await sessions.elevate(facts(request), 2);
      appendCookies(response, rotation.setCookies);
      return json(response, rotation.ok ? { id: rotation.session.id, level: rotation.session.level } : {});
    }
    case 'GET /admin':
      if (refuse((r) => levelRequiredReply(sessions, r, { level: 2 }))) return;
      return json(response, { ok: true });
    case 'POST /revoke-others':
      if (needSession() || session === null) return;
      return json(response, {
        revoked: await sessions.manager.revokeSubject(session.subject, { except: session.id }),
      });
    case 'POST /action':
      if (needSession()) return;
      return json(response, { ok: true });
    default:
      response.statusCode = 404;
      return json(response, {});
  }
}

const facts = (request: IncomingMessage) => nodeRequestFacts(request);

runAdapterMatrix('node', async (sessions) => {
  const server = createServer((request, response) => {
    handle(sessions, request, response).catch((error: unknown) => writeReply(response, errorReply(error)));
  });
  return listen(server);
});
