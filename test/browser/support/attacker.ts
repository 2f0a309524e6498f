import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hostile page on another origin. Each path is one attack against `target` (the example app's origin):
 * - `/form?action=/logout`: a form that submits itself with POST on load (classic CSRF);
 * - `/fetch?action=/logout`: `fetch` with `text/plain`, a "simple" request that needs no CORS preflight;
 * - `/login?username=…&password=…`: login CSRF, signing the victim into the attacker's account.
 * The page has no CSP, so its inline script runs; it writes what it did into `document.title`.
 */
export interface AttackerSite {
  /** Origin of the hostile pages, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** `hostname` names the attacker's site (`127.0.0.1` or `localhost`); the server always listens on 127.0.0.1. */
export async function startAttacker(target: string, hostname: string): Promise<AttackerSite> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://attacker.invalid');
    const action = new URL(url.searchParams.get('action') ?? '/', target).href;
    let body: string;
    if (url.pathname === '/form') {
      body = `<form id="f" method="post" action="${action}"><input name="id" value="x"></form>
<script>document.getElementById('f').submit();</script>`;
    } else if (url.pathname === '/fetch') {
      body = `<script>
fetch(${JSON.stringify(action)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
  headers: { 'content-type': 'text/plain' }, body: 'id=x' })
  .then(() => { document.title = 'sent'; }, (error) => { document.title = 'failed: ' + error; });
</script>`;
    } else if (url.pathname === '/login') {
      const user = JSON.stringify(url.searchParams.get('username') ?? '');
      const pass = JSON.stringify(url.searchParams.get('password') ?? '');
      body = `<form id="f" method="post" action="${new URL('/login', target).href}">
<input name="username"><input name="password"></form>
<script>const f = document.getElementById('f'); f.username.value = ${user}; f.password.value = ${pass}; f.submit();</script>`;
    } else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>attacker</title>${body}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${hostname}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
