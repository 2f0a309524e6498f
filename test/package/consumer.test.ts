// The package as a new user gets it: `npm pack` on a copy of the repository (prepack builds it), publint and
// Are the Types Wrong (ESM-only profile) on the tarball, then a fresh app that installs the tarball with npm,
// typechecks an import of every subpath under NodeNext and under bundler resolution, imports each at run time,
// and bundles the web-safe entries for workerd from the installed copy (so `runtime/` and `#crypto` ship).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { ROOT } from '../runtimes/runtime-run.js';

const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
  name: string;
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};
/** Every subpath a user can import (`./package.json` aside). */
const SUBPATHS = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));
/** Entries that import a peer dependency at load time: a user installs that peer with them. */
const NEEDS_PEER: Record<string, string> = { [`${pkg.name}/next`]: 'next' };

let work = '';
let tarball = '';
let app = '';

function sh(command: string, args: readonly string[], cwd: string, timeout = 180_000): string {
  const run = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, CI: 'true' },
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  assert.equal(run.status, 0, `${command} ${args.join(' ')} failed (${run.status}):\n${output.slice(-4000)}`);
  return output;
}
const bin = (name: string): string => join(ROOT, 'node_modules/.bin', name);

before(
  () => {
    work = mkdtempSync(join(tmpdir(), 'tessera-consumer-'));
    const copy = join(work, 'repo');
    mkdirSync(copy);
    for (const name of [
      'src',
      'runtime',
      'docs',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'README.md',
      'LICENSE',
    ])
      cpSync(join(ROOT, name), join(copy, name), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    sh('npm', ['pack', '--pack-destination', work, '--silent'], copy);
    const packed = readdirSync(work).find((name) => name.endsWith('.tgz'));
    assert.ok(packed, 'npm pack wrote a tarball');
    tarball = join(work, packed);

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
    // From npm's cache where it can (npm ci filled it); the registry otherwise.
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
  },
  { timeout: 300_000 },
);
after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh app', () => {
  it('installs no database driver, no framework and no native addon', () => {
    const installed = readdirSync(join(app, 'node_modules'));
    for (const peer of Object.keys(pkg.peerDependencies))
      assert.ok(!installed.includes(peer), `${peer} installed`);
    assert.ok(!installed.includes('bindings') && !installed.includes('prebuild-install'), 'no native build');
  });

  it('publint finds nothing, warnings included', () => {
    assert.match(sh(bin('publint'), ['run', tarball, '--strict'], work), /All good!/);
  });

  it('Are the Types Wrong finds nothing for an ESM-only package', () => {
    const report = JSON.parse(
      sh(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'json'], work),
    ) as { analysis: { problems: { kind: string; entrypoint: string; resolutionKind: string }[] } };
    assert.ok(Array.isArray(report.analysis.problems), 'the report lists its problems');
    // The esm-only profile leaves out node10 and require() from CommonJS, which an ESM-only package cannot serve.
    const counted = report.analysis.problems.filter(
      (p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs',
    );
    assert.deepEqual(counted, []);
  });

  for (const [name, compilerOptions] of [
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler' }],
  ] as const) {
    it(`every subpath typechecks under ${name} resolution, with exactOptionalPropertyTypes too`, () => {
      const dir = join(app, `tc-${name}`);
      mkdirSync(dir, { recursive: true });
      const lines = SUBPATHS.map((spec, i) => `import * as entry${i} from '${spec}';`);
      lines.push(`export const entries: object[] = [${SUBPATHS.map((_, i) => `entry${i}`).join(', ')}];`);
      // A few names whose types must come through, not as any.
      lines.push(
        `import { createTessera, MemoryStore, HttpSessions } from '${pkg.name}';`,
        `import { guard } from '${pkg.name}/fetch';`,
        'const sessions: HttpSessions = new HttpSessions(createTessera({ store: new MemoryStore() }));',
        'export const handler: (request: Request) => Promise<Response> = guard(sessions, () => new Response("ok"));',
        '// @ts-expect-error: a misspelt option is a type error, so the types are real',
        'createTessera({ store: new MemoryStore(), idleTimeoutz: 5 });',
      );
      writeFileSync(join(dir, 'index.ts'), `${lines.join('\n')}\n`);
      const config = {
        compilerOptions: {
          ...compilerOptions,
          target: 'ES2022',
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          lib: ['ES2023', 'DOM'],
        },
        files: ['index.ts'],
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
      sh(bin('tsc'), ['-p', 'tsconfig.json'], dir);
    });
  }

  it('every subpath loads in Node (the Next.js one once next is installed)', () => {
    const script = SUBPATHS.filter((spec) => !(spec in NEEDS_PEER))
      .map((spec) => `await import('${spec}');`)
      .join('\n');
    sh(process.execPath, ['--input-type=module', '-e', script], app);
    const next = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import('${pkg.name}/next')`],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    assert.notEqual(next.status, 0);
    assert.match(next.stderr, /Cannot find package 'next'/);
  });

  it('the installed web-safe entries bundle for workerd with no node: built-in (root, /fetch, /csrf, /sealed, /jwt, /refresh, /dpop, /dbsc)', async () => {
    const entry = join(app, 'worker.js');
    writeFileSync(
      entry,
      `import { createTessera, HttpSessions, MemoryStore } from '${pkg.name}';\n` +
        `import { guard } from '${pkg.name}/fetch';\nimport { verifyCsrfToken } from '${pkg.name}/csrf';\n` +
        `import { SealedSessions } from '${pkg.name}/sealed';\n` +
        `import { AccessTokens, hmacKey, JwtKeyRing } from '${pkg.name}/jwt';\n` +
        `import { RefreshTokens } from '${pkg.name}/refresh';\n` +
        `import { DpopProofs } from '${pkg.name}/dpop';\n` +
        `import { DeviceBoundSessions } from '${pkg.name}/dbsc';\n` +
        'const manager = createTessera({ store: new MemoryStore() });\n' +
        'const sessions = new HttpSessions(manager);\n' +
        "const sealed = new SealedSessions({ keys: [{ id: 'k1', secret: 'a-sealing-secret-of-32-characters-at-least!' }] });\n" +
        "const keys = new JwtKeyRing([hmacKey('k1', 'an-hmac-secret-of-at-least-32-bytes-0123456789')]);\n" +
        "const access = new AccessTokens({ keys, issuer: 'i', audience: 'a', manager });\n" +
        "const refresh = new RefreshTokens({ manager, accessTokens: access, secret: 'refresh-secret-with-plenty-of-entropy-0123456789' });\n" +
        'export const used = [DpopProofs, DeviceBoundSessions, refresh, verifyCsrfToken];\n' +
        'const app = guard(sessions, () => new Response("ok"));\n' +
        'export default { fetch: (r) => (r.url.includes("/sealed") ? guard(sealed, () => new Response("s"))(r) : app(r)) };\n',
    );
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      absWorkingDir: app,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    assert.match(code, /getRandomValues/, 'the web provider is in the bundle');
    for (const name of [
      'SealedSessions',
      'AccessTokens',
      'RefreshTokens',
      'DpopProofs',
      'DeviceBoundSessions',
    ]) {
      assert.ok(
        new RegExp(`(class ${name}\\b|\\b${name} = class\\b)`).test(code),
        `${name} is in the bundle`,
      );
    }
    assert.ok(
      code.includes('tessera: JWS refused') && !code.includes('TokenError'),
      'the web JOSE provider is in the bundle',
    );
    assert.ok(!/fast-jwt/.test(code), 'fast-jwt stays out of a Worker');
    assert.doesNotMatch(code, /["']node:[a-z_/]+["']/);
  });
});
