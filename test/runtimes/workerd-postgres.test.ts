// Server-side sessions in PostgreSQL on the real workerd with `nodejs_compat` (issue 10, item 5). pg runs on the
// Workers socket API (`cloudflare:sockets`, through pg-cloudflare, which pg picks when it sees workerd); the
// Worker reaches 127.0.0.1:5432 through a network service that allows local addresses. The fixtures are
// bundled for Node's platform with pg's `require()` of built-ins turned into imports, as wrangler does.
//
// - workerd-postgres-app.ts: a Worker built at module scope (`PostgresStore` with a new `pg.Client` per store
//   call, `createTessera`, `HttpSessions`, the fetch adapter's `guard`/`protect`); login, validation, logout
//   and a refused token each in a request of its own; the database down is 503, fail closed; and a module-scope
//   `pg.Pool` shown failing its second request, which is why the store takes a client per call there.
// - workerd-postgres-conformance.ts: the store suite (its failed-commit cases included) and the manager suite,
//   registered into a `node:test` collector inside the Worker, one request per case; the case names must be
//   exactly those Node's runner declares for the same suites in test/stores/postgres.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { freePort } from '../support/proxies.js';
import { POSTGRES_URL, requireService, uniqueName } from '../support/services.js';
import { ROOT } from './runtime-run.js';
import {
  bundleWorker,
  callWorker,
  type JsonReply,
  type ServedWorker,
  serveWorker,
  WITH_NODEJS_COMPAT,
  workerdMissing,
} from './workerd-run.js';

const reason = workerdMissing();
const noPostgres = await requireService('postgres');
const skip = reason ?? noPostgres;
const BUNDLE = { platform: 'node', importBuiltinRequires: true } as const;
const COLLECTOR = 'test/runtimes/fixtures/workerd-postgres-node-test.ts';
const base = uniqueName('wpg');
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-workerd-pg-'));
  dirs.push(dir);
  return dir;
}

/** Every schema this file's Workers made: `<base>` for the app, `<base>_c_<n>` for the conformance cases. */
async function dropOurSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  client.on('error', () => {});
  await client.connect();
  let names: string[];
  try {
    const found = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $1 || '_')",
      [base],
    );
    names = found.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
  await dropSchemas(POSTGRES_URL, names);
}

after(async () => {
  if (skip === false) await dropOurSchemas();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The full names ("suite > … > case") of the store and manager conformance cases that Node's runner declares in
 * test/stores/postgres.test.ts, read from its TAP with every test filtered out (nothing runs).
 */
function declaredConformanceCases(): string[] {
  const { NODE_TEST_CONTEXT: _marker, ...env } = process.env;
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=tap',
      '--test-name-pattern=^\\b$',
      'test/stores/postgres.test.ts',
    ],
    { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 },
  );
  assert.equal(run.status, 0, `counting failed:\n${run.stdout}${run.stderr}`);
  const names: string[] = [];
  const path: string[] = [];
  for (const line of run.stdout.split('\n')) {
    const subtest = /^( *)# Subtest: (.*)$/.exec(line);
    if (subtest !== null) {
      const depth = (subtest[1] as string).length / 4;
      path.length = depth;
      path[depth] = subtest[2] as string;
      continue;
    }
    const leaf = /^( *)ok \d+ - (.*) # SKIP test name does not match pattern$/.exec(line);
    if (leaf !== null) {
      const depth = (leaf[1] as string).length / 4;
      names.push([...path.slice(1, depth), leaf[2] as string].join(' > '));
    }
  }
  const declared = Number(/^# tests (\d+)$/m.exec(run.stdout)?.[1]);
  assert.equal(names.length, declared, 'every declared test was read from the TAP');
  return names.filter((name) => /^(store|manager) conformance: postgres > /.test(name));
}

describe('PostgreSQL store on workerd with nodejs_compat', { skip }, () => {
  describe('a Worker with server-side sessions in PostgreSQL, over separate requests', () => {
    let served: ServedWorker | null = null;
    let code = '';

    before(async () => {
      // The schema exists before the Worker's first request (the Worker's store has `migrate: false`).
      const setup = new PostgresStore({ connectionString: POSTGRES_URL, schema: base });
      await setup.migrate();
      await setup.close();
      code = await bundleWorker('test/runtimes/fixtures/workerd-postgres-app.ts', BUNDLE);
      const closed = await freePort();
      served = await serveWorker(tempDir(), code, WITH_NODEJS_COMPAT, {
        localNetwork: true,
        probePath: '/nothing',
        bindings: {
          DATABASE_URL: POSTGRES_URL,
          DOWN_URL: `postgres://postgres@127.0.0.1:${closed}/test`,
          SCHEMA: base,
        },
      });
    });
    after(async () => {
      await served?.worker.stop();
    });

    function call(
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: string,
    ): Promise<JsonReply> {
      assert.ok(served, 'workerd is serving');
      return callWorker(served, method, path, headers, body);
    }

    const form = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };

    async function login(subject: string): Promise<{ cookie: string; csrf: string; id: string }> {
      const reply = await call('POST', '/login', form, `subject=${encodeURIComponent(subject)}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const line = reply.setCookie.find((header) => header.startsWith('__Host-session='));
      assert.ok(line, reply.setCookie.join('\n'));
      return {
        cookie: (line.split(';')[0] as string).trim(),
        csrf: reply.body.csrf as string,
        id: reply.body.id as string,
      };
    }

    async function rowsOf(subject: string): Promise<number> {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const found = await client.query(`SELECT 1 FROM "${base}".sessions WHERE subject = $1`, [subject]);
        return found.rowCount ?? 0;
      } finally {
        await client.end();
      }
    }

    it('the bundle carries pg on the Workers socket API (cloudflare:sockets)', () => {
      assert.match(code, /["']cloudflare:sockets["']/);
      assert.match(code, /pg-cloudflare/);
    });

    it('login, validation, logout and the refused token, each in a request of its own', async () => {
      const subject = 'ada@example.com';
      const first = await login(subject);
      assert.equal(await rowsOf(subject), 1, 'the session is a row in PostgreSQL');

      for (let n = 0; n < 3; n += 1) {
        const me = await call('GET', '/me', { cookie: first.cookie });
        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.deepEqual(me.body, { subject, id: first.id });
      }

      const logout = await call('POST', '/logout', {
        cookie: first.cookie,
        'sec-fetch-site': 'same-origin',
        'x-csrf-token': first.csrf,
      });
      assert.equal(logout.status, 200, JSON.stringify(logout.body));
      assert.equal(logout.body.revoked, true);
      assert.equal(await rowsOf(subject), 0, 'the row is gone');

      const refused = await call('GET', '/me', { cookie: first.cookie });
      assert.equal(refused.status, 401);
      assert.equal((refused.body.error as { code?: string }).code, 'token_invalid');
    });

    it('"log out everywhere" in one request ends the sessions another request still holds', async () => {
      const subject = 'grace@example.com';
      const laptop = await login(subject);
      const phone = await login(subject);
      assert.equal(await rowsOf(subject), 2);
      assert.equal((await call('GET', '/me', { cookie: phone.cookie })).status, 200);

      const everywhere = await call('POST', '/logout-everywhere', {
        cookie: laptop.cookie,
        'sec-fetch-site': 'same-origin',
        'x-csrf-token': laptop.csrf,
      });
      assert.equal(everywhere.status, 200, JSON.stringify(everywhere.body));
      assert.equal(everywhere.body.revoked, 2);
      for (const device of [phone, laptop]) {
        const refused = await call('GET', '/me', { cookie: device.cookie });
        assert.equal(refused.status, 401);
        assert.equal((refused.body.error as { code?: string }).code, 'token_invalid');
      }
    });

    it('the database down is 503 with Retry-After, for a signed-in request and a login: fail closed', async () => {
      assert.ok(served, 'workerd is serving');
      const session = await login('linus@example.com');
      const validated = await fetch(`${served.origin}/down/me`, { headers: { cookie: session.cookie } });
      const body = (await validated.json()) as { error?: { code?: string } };
      assert.equal(validated.status, 503, JSON.stringify(body));
      assert.equal(body.error?.code, 'store_unavailable');
      assert.ok(validated.headers.get('retry-after'), 'Retry-After is set');

      const refusedLogin = await call('POST', '/down/login', form, 'subject=linus%40example.com');
      assert.equal(refusedLogin.status, 503, JSON.stringify(refusedLogin.body));
      assert.equal(refusedLogin.setCookie.length, 0, 'no cookie without a stored session');

      // The same session still works against the database that is up.
      assert.equal((await call('GET', '/me', { cookie: session.cookie })).status, 200);
    });

    it('why a client per call: a module-scope pg.Pool cannot use its idle connection in the next request', async () => {
      assert.ok(served, 'workerd is serving');
      const first = await fetch(`${served.origin}/pool`);
      assert.equal(first.status, 200, await first.text());
      const second = await fetch(`${served.origin}/pool`);
      const text = await second.text();
      assert.notEqual(second.status, 200, `the second request was served: ${text}`);
      assert.match(served.worker.output(), /hung and would never generate a response|different request/);
    });
  });

  describe('the store and manager conformance suites inside workerd, one request per case', () => {
    let served: ServedWorker | null = null;

    before(async () => {
      const code = await bundleWorker('test/runtimes/fixtures/workerd-postgres-conformance.ts', {
        ...BUNDLE,
        replace: { 'node:test': COLLECTOR },
      });
      served = await serveWorker(tempDir(), code, WITH_NODEJS_COMPAT, {
        localNetwork: true,
        probePath: '/cases',
        bindings: { DATABASE_URL: POSTGRES_URL, SCHEMA: `${base}_c` },
      });
    });
    after(async () => {
      await served?.worker.stop();
    });

    it('passes every case Node declares for the PostgreSQL store, the failed commits included', async () => {
      assert.ok(served, 'workerd is serving');
      const declared = declaredConformanceCases();
      const listed = await callWorker(served, 'GET', '/cases');
      const cases = listed.body.cases as { name: string; skip: boolean }[];
      assert.deepEqual(
        cases.map((entry) => entry.name).sort(),
        [...declared].sort(),
        'the Worker collected exactly the cases Node declares',
      );
      assert.ok(cases.length >= 120, `${cases.length} cases`);
      assert.ok(
        cases.some((entry) => entry.name.includes('failed commits > ')),
        'the failed-commit cases are among them',
      );

      const failed: string[] = [];
      for (let index = 0; index < cases.length; index += 1) {
        const ran = await callWorker(served, 'POST', `/run?case=${index}`);
        if (ran.body.ok !== true) failed.push(`${String(ran.body.name)}: ${String(ran.body.error)}`);
      }
      assert.deepEqual(failed, [], `failed inside workerd:\n${served.worker.output()}`);
    });
  });
});
