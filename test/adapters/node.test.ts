import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { openNode, writeReply } from '../../src/adapters/node/index.js';
import { requireLevel, requireSignedIn } from '../../src/transport/pipeline.js';
import type { HttpReply } from '../../src/transport/reply.js';
import { errorReply } from '../../src/transport/reply.js';
import { listen } from './listen.js';
import { runAdapterMatrix } from './matrix.js';
import type { World } from './world.js';

/** node:http parses nothing: the app reads the urlencoded body itself and hands the field to the request path. */
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

async function handle(world: World, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const rs = await openNode(world.mode, request, response, { formToken: form.get('_csrf') });
  if (rs === null) return;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const route = `${request.method} ${url.pathname}`;
  const refused = (refusal: HttpReply | null): boolean => {
    if (refusal !== null) writeReply(response, refusal);
    return refusal !== null;
  };
  switch (route) {
    case 'GET /public':
      return json(response, { session: rs.session?.id ?? null });
    case 'GET /anonymous': {
      const issued = await rs.startAnonymous();
      return json(response, { id: issued.session.id, csrf: rs.csrfToken() });
    }
    case 'GET /csrf':
      return json(response, { csrf: rs.session === null ? null : rs.csrfToken() });
    case 'GET /me': {
      if (refused(requireSignedIn(rs))) return;
      const session = rs.session!;
      return json(response, { id: session.id, subject: session.subject, level: session.level });
    }
    case 'POST /login': {
      const issued = await rs.login({ subject: url.searchParams.get('subject') ?? '' });
      return json(response, { id: issued.session.id });
    }
    case 'POST /logout':
      return json(response, { revoked: await rs.logout() });
    case 'POST /rotate':
    case 'POST /elevate': {
      if (refused(requireSignedIn(rs))) return;
      const change = route === 'POST /rotate' ? await rs.rotate() : await rs.elevate(2);
      return json(response, change.ok ? { id: change.session.id, level: change.session.level } : {});
    }
    case 'GET /admin':
      if (refused(requireLevel(rs, { level: 2 }))) return;
      return json(response, { ok: true });
    case 'POST /revoke-others':
      if (refused(requireSignedIn(rs))) return;
      return json(response, { revoked: await world.revokeOthers(rs.session!) });
    case 'POST /action':
      if (refused(requireSignedIn(rs))) return;
      return json(response, { ok: true });
    default:
      response.statusCode = 404;
      return json(response, {});
  }
}

runAdapterMatrix('node', async (world) => {
  const server = createServer((request, response) => {
    handle(world, request, response).catch((error: unknown) => writeReply(response, errorReply(error)));
  });
  return listen(server);
});
