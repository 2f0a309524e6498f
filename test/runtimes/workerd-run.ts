// Runs a Worker on the real workerd (the pinned `workerd` package): bundles a fixture as wrangler would
// (esbuild, workerd's export conditions), writes a workerd config for one compatibility setting, starts
// `workerd serve` on a free port and waits until it answers. Shared by the test/runtimes/workerd*.test.ts files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { freePort, type Running, run } from '../support/proxies.js';
import { ROOT } from './runtime-run.js';

export const WORKERD = join(ROOT, 'node_modules/.bin/workerd');

/** The conditions wrangler bundles Workers with. */
export const WORKERD_CONDITIONS = ['workerd', 'worker', 'browser'];

/** Why workerd cannot run here, or null. In CI a missing workerd fails the run instead. */
export function workerdMissing(): string | null {
  if (existsSync(WORKERD)) return null;
  const reason = `workerd is not installed (${WORKERD}): npm ci installs it (the workerd package)`;
  if (process.env.CI) assert.fail(reason);
  return reason;
}

export interface BundleOptions {
  /**
   * `neutral` (the default) fails the build on any `node:` import, as a Worker without `nodejs_compat` would;
   * `node` leaves `node:` imports to workerd's `nodejs_compat`.
   */
  readonly platform?: 'neutral' | 'node';
  /**
   * With `platform: 'node'`, turns `require()` of a Node built-in in CommonJS packages (pg's `require('events')`)
   * into an ES import of it, as wrangler's nodejs_compat bundling does: an ES module Worker has no `require`.
   * @default false
   */
  readonly importBuiltinRequires?: boolean;
  /** Modules replaced by a file of the repository (`{ 'node:test': 'test/runtimes/fixtures/x.ts' }`). */
  readonly replace?: Readonly<Record<string, string>>;
}

/** Node's built-in modules, as esbuild sees them on the `node` platform (bare or `node:`). */
const BUILTIN =
  /^(node:)?(assert|async_hooks|buffer|crypto|dns|events|fs|module|net|os|path|stream|string_decoder|timers|tls|url|util|zlib)(\/.*)?$/;

function bundlePlugins(options: BundleOptions): Plugin[] {
  const plugins: Plugin[] = [];
  const replace = options.replace ?? {};
  if (Object.keys(replace).length > 0) {
    plugins.push({
      name: 'replace-modules',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /.*/ }, (args) => {
          const file = replace[args.path];
          return file === undefined ? undefined : { path: join(ROOT, file) };
        });
      },
    });
  }
  if (options.importBuiltinRequires === true) {
    plugins.push({
      name: 'import-builtin-requires',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: BUILTIN }, (args) =>
          args.kind === 'require-call' ? { path: args.path, namespace: 'builtin-require' } : undefined,
        );
        pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => {
          const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
          return { contents: `import builtin from '${name}';\nmodule.exports = builtin;\n`, loader: 'js' };
        });
      },
    });
  }
  return plugins;
}

/** Bundles `entry` (a path under the repository) into one ES module for workerd. */
export async function bundleWorker(entry: string, options: BundleOptions = {}): Promise<string> {
  const platform = options.platform ?? 'neutral';
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    conditions: WORKERD_CONDITIONS,
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
    // On `node`, built-ins stay imports for workerd to resolve (nodejs_compat), never bundled.
    ...(platform === 'node' ? { external: ['node:*', 'cloudflare:*'] } : {}),
    plugins: bundlePlugins(options),
  });
  return result.outputFiles[0]?.text ?? '';
}

/** One compatibility setting of a workerd run. */
export interface WorkerdSetting {
  readonly name: string;
  readonly date: string;
  readonly flags: readonly string[];
}

export const WITHOUT_NODEJS_COMPAT: WorkerdSetting = {
  name: 'without nodejs_compat (compatibility date 2024-01-01)',
  date: '2024-01-01',
  flags: [],
};
export const WITH_NODEJS_COMPAT: WorkerdSetting = {
  name: 'with nodejs_compat (compatibility date 2026-11-01)',
  date: '2026-11-01',
  flags: ['nodejs_compat'],
};

export interface ConfigOptions {
  /**
   * Lets the Worker open sockets (`connect()`, so database drivers) to loopback and private addresses, which
   * workerd's default outbound refuses.
   * @default false
   */
  readonly localNetwork?: boolean;
  /** Text bindings of the Worker (`env.NAME`, also `import { env } from 'cloudflare:workers'`). */
  readonly bindings?: Readonly<Record<string, string>>;
}

/** A workerd config serving `worker.js` (beside the config) on 127.0.0.1:`port`. */
export function workerdConfig(port: number, setting: WorkerdSetting, options: ConfigOptions = {}): string {
  const flags = setting.flags.map((flag) => JSON.stringify(flag)).join(', ');
  const network = options.localNetwork === true;
  const services = network
    ? `(name = "main", worker = .app), (name = "net", network = (allow = ["public", "private", "local"]))`
    : `(name = "main", worker = .app)`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ ${services} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const app :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "${setting.date}",
  compatibilityFlags = [${flags}],${network ? '\n  globalOutbound = "net",' : ''}${textBindings(options)}
);
`;
}

function textBindings(options: ConfigOptions): string {
  const entries = Object.entries(options.bindings ?? {});
  if (entries.length === 0) return '';
  const list = entries.map(
    ([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`,
  );
  return `\n  bindings = [ ${list.join(', ')} ],`;
}

export interface ServedWorker {
  readonly origin: string;
  readonly worker: Running;
}

/**
 * Writes `code` as `worker.js` into `dir` (once per dir) with a config for `setting`, starts workerd and waits
 * until `probePath` answers (any status).
 */
export async function serveWorker(
  dir: string,
  code: string,
  setting: WorkerdSetting,
  options: ConfigOptions & { readonly probePath?: string } = {},
): Promise<ServedWorker> {
  writeFileSync(join(dir, 'worker.js'), code);
  const port = await freePort();
  const file = join(dir, `config-${setting.date}-${setting.flags.join('+') || 'plain'}.capnp`);
  writeFileSync(file, workerdConfig(port, setting, options));
  const worker = run(WORKERD, ['serve', file]);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${origin}${options.probePath ?? '/runtime'}`);
      return { origin, worker };
    } catch {
      if (worker.process.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await worker.stop();
  assert.fail(`workerd did not start:\n${worker.output()}`);
}

export interface JsonReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookie: string[];
}

/** One request to a served Worker; the answer must be JSON (else the test fails with workerd's output). */
export async function callWorker(
  served: ServedWorker,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<JsonReply> {
  const response = await fetch(`${served.origin}${path}`, { method, headers, body: body ?? null });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    assert.fail(`${method} ${path}: not JSON (${response.status}): ${text}\n${served.worker.output()}`);
  }
  return { status: response.status, body: parsed, setCookie: response.headers.getSetCookie() };
}

/** Lines of a bundle that name a Node built-in or global; [] for a bundle that needs none. */
export function nodeReferences(code: string): string[] {
  const found: string[] = [];
  for (const [what, pattern] of [
    ['a node: module', /["']node:[a-z_/]+["']/],
    ['Buffer', /(?<![\w.$'"])Buffer\b(?!['"])/],
    ['process', /(?<![\w.$'"])process\s*\.\s*[A-Za-z_]/],
    ['require()', /(?<![\w.$])require\s*\(/],
  ] as const) {
    for (const line of code.split('\n')) {
      if (pattern.test(line) && !/^\s*\/\//.test(line)) found.push(`${what}: ${line.trim().slice(0, 160)}`);
    }
  }
  return found;
}

/** A caller of whichever Worker `current()` returns when it is called (set by a `before` hook). */
export function callerFor(
  current: () => ServedWorker | null,
): (method: string, path: string, headers?: Record<string, string>, body?: string) => Promise<JsonReply> {
  return (method, path, headers = {}, body) => {
    const served = current();
    assert.ok(served, 'workerd is serving');
    return callWorker(served, method, path, headers, body);
  };
}

/**
 * Bundles `entry` once for the file (a `before` hook) into a temporary folder removed afterwards; `code()` and
 * `dir()` read them inside tests and hooks. Does nothing when workerd is missing (the tests skip or fail).
 */
export function bundledOnce(
  entry: string,
  options: BundleOptions = {},
): { readonly code: () => string; readonly dir: () => string } {
  let code = '';
  let dir = '';
  before(async () => {
    if (!existsSync(WORKERD)) return;
    code = await bundleWorker(entry, options);
    dir = mkdtempSync(join(tmpdir(), 'tessera-workerd-'));
  });
  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return { code: () => code, dir: () => dir };
}

/**
 * Serves a `bundledOnce` Worker for the enclosing `describe` (its `before`/`after` hooks) under `setting`, and
 * returns a caller of it (and, as `origin()`, where it listens).
 */
export function servedDuring(
  bundle: { readonly code: () => string; readonly dir: () => string },
  setting: WorkerdSetting,
  options: ConfigOptions & { readonly probePath?: string } = {},
): ReturnType<typeof callerFor> & { readonly origin: () => string } {
  let served: ServedWorker | null = null;
  before(async () => {
    served = await serveWorker(bundle.dir(), bundle.code(), setting, options);
  });
  after(async () => {
    await served?.worker.stop();
  });
  return Object.assign(
    callerFor(() => served),
    { origin: () => served?.origin ?? '' },
  );
}
