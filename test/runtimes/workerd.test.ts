// The web-safe entries (the root, `/fetch`, `/csrf`) on the real workerd: test/runtimes/fixtures/
// workerd-worker.ts, bundled as a Worker is (esbuild, platform neutral, workerd's export conditions, so any
// node: built-in fails the bundle), served by workerd without `nodejs_compat` on an old compatibility date (no
// Buffer, no process, no node: modules) and with `nodejs_compat` on a current one. A login, a protected page,
// the CSRF defence and a logout run through each; the sessions are built at module scope, where workerd
// refuses random values.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { freePort, type Running, run } from '../support/proxies.js';
import { ROOT } from './runtime-run.js';

const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
const FIXTURE = join(ROOT, 'test/runtimes/fixtures/workerd-worker.ts');

/** The conditions wrangler bundles Workers with. */
export const WORKERD_CONDITIONS = ['workerd', 'worker', 'browser'];

function missing(): string | null {
  if (existsSync(WORKERD)) return null;
  const reason = `workerd is not installed (${WORKERD}): npm ci installs it (the workerd package)`;
  if (process.env.CI) assert.fail(reason);
  return reason;
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [FIXTURE],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: WORKERD_CONDITIONS,
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

interface Setting {
  readonly name: string;
  readonly date: string;
  readonly flags: readonly string[];
}
const SETTINGS: readonly Setting[] = [
  { name: 'without nodejs_compat (compatibility date 2024-01-01)', date: '2024-01-01', flags: [] },
  {
    name: 'with nodejs_compat (compatibility date 2026-11-01)',
    date: '2026-11-01',
    flags: ['nodejs_compat'],
  },
];

function config(port: number, setting: Setting): string {
  const flags = setting.flags.map((flag) => JSON.stringify(flag)).join(', ');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .app) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const app :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "${setting.date}",
  compatibilityFlags = [${flags}],
);
`;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  setCookie: string[];
}

async function waitUntilServing(origin: string, worker: Running): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${origin}/runtime`);
      return;
    } catch {
      if (worker.process.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  assert.fail(`workerd did not start:\n${worker.output()}`);
}

let code = '';
let dir = '';
const reason = missing();

before(async () => {
  if (reason !== null) return;
  code = await bundle();
  dir = mkdtempSync(join(tmpdir(), 'tessera-workerd-'));
  writeFileSync(join(dir, 'worker.js'), code);
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('workerd', { skip: reason ?? false }, () => {
  it('the bundle has no node: built-in, no Buffer, no process and no require', () => {
    assert.ok(code.length > 10_000, 'bundled');
    const lines = code.split('\n');
    for (const [what, pattern] of [
      ['a node: module', /["']node:[a-z_/]+["']/],
      ['Buffer', /(?<![\w.$'"])Buffer\b(?!['"])/],
      ['process', /(?<![\w.$'"])process\s*\.\s*[A-Za-z_]/],
      ['require()', /(?<![\w.$])require\s*\(/],
    ] as const) {
      const found = lines.filter((line) => pattern.test(line) && !/^\s*\/\//.test(line));
      assert.deepEqual(found, [], `the bundle refers to ${what}`);
    }
  });

  for (const setting of SETTINGS) {
    describe(setting.name, () => {
      let worker: Running | null = null;
      let origin = '';

      before(async () => {
        const port = await freePort();
        const file = join(dir, `config-${setting.flags.length}.capnp`);
        writeFileSync(file, config(port, setting));
        worker = run(WORKERD, ['serve', file]);
        origin = `http://127.0.0.1:${port}`;
        await waitUntilServing(origin, worker);
      });
      after(async () => {
        await worker?.stop();
      });

      async function call(
        method: string,
        path: string,
        headers: Record<string, string> = {},
        body?: string,
      ): Promise<Reply> {
        const response = await fetch(`${origin}${path}`, { method, headers, body: body ?? null });
        const text = await response.text();
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          assert.fail(`${method} ${path}: not JSON (${response.status}): ${text}\n${worker?.output() ?? ''}`);
        }
        return { status: response.status, body: parsed, setCookie: response.headers.getSetCookie() };
      }

      it('runs the web provider, and the module-scope sessions made nothing random before the first request', async () => {
        const reply = await call('GET', '/runtime');
        assert.equal(reply.status, 200);
        assert.equal(reply.body.provider, 'web');
        if (setting.flags.length === 0) {
          assert.equal(reply.body.buffer, false, 'no Buffer global without nodejs_compat');
          assert.equal(reply.body.process, false, 'no process global without nodejs_compat');
        }
      });

      it('login, protected page, CSRF refusals, logout: a logged-out token never works again', async () => {
        const form = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
        assert.equal((await call('GET', '/me')).status, 401, 'no cookie');
        assert.equal(
          (await call('GET', '/me', { cookie: '__Host-session=ts1.nope' })).status,
          401,
          'malformed',
        );

        const login = await call('POST', '/login', form, 'subject=ada%40example.com');
        assert.equal(login.status, 200, JSON.stringify(login.body));
        const cookie = login.setCookie.find((line) => line.startsWith('__Host-session='));
        assert.ok(cookie, login.setCookie.join('\n'));
        assert.match(cookie, /; HttpOnly/i);
        assert.match(cookie, /; Secure/i);
        assert.match(cookie, /; SameSite=Strict/i);
        assert.match(cookie, /; Path=\//);
        const sent = { cookie: (cookie.split(';')[0] as string).trim() };
        const csrf = login.body.csrf as string;

        const me = await call('GET', '/me', sent);
        assert.equal(me.status, 200);
        assert.equal(me.body.subject, 'ada@example.com');
        assert.equal(me.body.id, login.body.id);

        const checked = await call('POST', '/check-csrf', { ...sent, ...form, 'x-csrf-token': csrf });
        assert.deepEqual(checked.body, { own: true, other: false });

        const crossSite = await call('POST', '/logout', { ...sent, 'sec-fetch-site': 'cross-site' });
        assert.equal(crossSite.status, 403, 'a cross-site POST is refused');
        assert.equal((crossSite.body.error as { code?: string }).code, 'csrf_rejected');
        const noToken = await call('POST', '/logout', { ...sent, 'sec-fetch-site': 'same-origin' });
        assert.equal(noToken.status, 403, 'a same-origin POST without the token is refused');
        assert.equal((await call('GET', '/me', sent)).status, 200, 'neither refusal ended the session');

        const logout = await call('POST', '/logout', {
          ...sent,
          'sec-fetch-site': 'same-origin',
          'x-csrf-token': csrf,
        });
        assert.equal(logout.status, 200);
        assert.equal(logout.body.revoked, true);
        assert.ok(
          logout.setCookie.some((line) => /^__Host-session=;.*Max-Age=0/i.test(line)),
          'the cookie is cleared',
        );
        const after = await call('GET', '/me', sent);
        assert.equal(after.status, 401);
        assert.equal((after.body.error as { code?: string }).code, 'token_invalid');
      });
    });
  }
});
