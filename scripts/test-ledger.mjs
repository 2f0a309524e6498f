// Preloaded into every test file's process by scripts/run-tests.mjs (`--import`), which gives each file its own
// ledger folder (TESSERA_TEST_LEDGER). Without that variable it does nothing.
//
// 1. It counts the tests the file declares: every call to `test`/`it` (and their `.skip`/`.todo`/`.only`
//    forms) and every subtest made with `t.test`. At exit, even `process.exit()` from a helper, it writes the
//    count to the ledger, so the runner can compare what was declared with what was reported.
// 2. It gives every test and hook that sets no timeout of its own the per-test timeout
//    (TESSERA_TEST_TIMEOUT_MS, default 180 s): Node 20's --test-timeout bounds a whole file, not a test.
// 3. It bounds how long a file may stay alive after its last test (TESSERA_TEST_EXIT_GRACE_MS, default 30 s):
//    a handle left open (a server, a pool, a timer, a child process) would keep the process, and so the run,
//    waiting. Past the grace period it names the open resources and exits non-zero, so the file fails by name.
import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';

const ledger = process.env.TESSERA_TEST_LEDGER;
if (ledger) install(ledger);

/** @param {string} ledgerDir */
function install(ledgerDir) {
  const require = createRequire(import.meta.url);
  const nodeTest = require('node:test');
  const afterAll = nodeTest.after;
  const file = process.argv[1] ?? '<unknown>';
  const testTimeoutMs = Number(process.env.TESSERA_TEST_TIMEOUT_MS ?? 180_000);
  const graceMs = Number(process.env.TESSERA_TEST_EXIT_GRACE_MS ?? 30_000);
  let declared = 0;
  let contextPatched = false;

  /** Wraps a registering function (`test`, `it`, `t.test` and their variants): counts, adds the timeout. */
  function counted(register) {
    const wrapped = function (...args) {
      declared += 1;
      const fnIndex = args.findIndex((a) => typeof a === 'function');
      if (fnIndex !== -1 && !contextPatched) args[fnIndex] = patchingContext(args[fnIndex]);
      return callFromCallerSite(wrapped, register, this, withTimeout(args, fnIndex));
    };
    for (const variant of ['skip', 'todo', 'only']) {
      if (typeof register[variant] === 'function') wrapped[variant] = counted(register[variant]);
    }
    return wrapped;
  }

  /** Wraps a test body so its context's prototype gets a counting `test`; keeps the arity node:test reads. */
  function patchingContext(fn) {
    const body = function (context, ...rest) {
      if (!contextPatched && context && typeof context.test === 'function') {
        const proto = Object.getPrototypeOf(context);
        proto.test = counted(proto.test);
        contextPatched = true;
      }
      return fn.call(this, context, ...rest);
    };
    Object.defineProperty(body, 'length', { value: fn.length });
    Object.defineProperty(body, 'name', { value: fn.name });
    return body;
  }

  /** `(name?, options?, fn?)` with `timeout` in the options, unless they set one. */
  function withTimeout(args, fnIndex) {
    const isOptions = (a, i) => a !== null && typeof a === 'object' && (fnIndex === -1 || i < fnIndex);
    const optionsIndex = args.findIndex(isOptions);
    if (optionsIndex !== -1) {
      const options = args[optionsIndex];
      if (options.timeout === undefined) args[optionsIndex] = { ...options, timeout: testTimeoutMs };
      return args;
    }
    if (fnIndex === -1) return args;
    const out = [...args];
    out.splice(fnIndex, 0, { timeout: testTimeoutMs });
    if (fnIndex === 0) out.unshift(undefined);
    return out;
  }

  /** Hooks get the per-test timeout too, so a hook that never ends fails by name. */
  function timedHook(hook) {
    const wrapped = function (fn, options) {
      return callFromCallerSite(wrapped, hook, this, [fn, { timeout: testTimeoutMs, ...options }]);
    };
    return wrapped;
  }

  nodeTest.test = counted(nodeTest.test);
  nodeTest.it = counted(nodeTest.it);
  for (const name of ['before', 'after', 'beforeEach', 'afterEach'])
    nodeTest[name] = timedHook(nodeTest[name]);
  syncBuiltinESMExports();

  process.on('exit', (code) => {
    writeFileSync(join(ledgerDir, 'declared.json'), JSON.stringify({ file, declared, exitCode: code }));
  });

  // A root-level `after` runs once every test of the file has finished (before the file's own root hooks).
  afterAll(() => {
    const timer = setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      process.stderr.write(
        `\n${file}: still running ${graceMs} ms after its last test; open resources: ${open.join(', ')} ` +
          '(two PipeWrap are the pipes to the runner)\n' +
          'Close every server, pool, client, timer and child process in an after hook.\n',
      );
      process.exit(70);
    }, graceMs);
    timer.unref();
  });
}

const callers = new Map();

/**
 * Calls `target` so that the frame calling it sits at the caller's own file, line and column. node:test
 * records where each test was declared from the frame that calls `test`/`it`, and reports it as the test's
 * file and location ("test at file:line:col"); a plain wrapper would make every test appear declared here.
 */
function callFromCallerSite(boundary, target, self, args) {
  const site = callerSite(boundary);
  if (site === null) return target.apply(self, args);
  // V8 puts a plain call at its callee's start and a method call at the method's name: `it(…)` and
  // `t.test(…)` in the test file, `target(…)` and `target.apply(…)` here.
  const method = self !== undefined;
  const key = `${site.file}:${site.line}:${site.column}:${method}`;
  let call = callers.get(key);
  if (call === undefined) {
    try {
      const expression = method ? 'target.apply(self, args)' : 'target(...args)';
      const pad = Math.max(0, site.column - 1 - (method ? 'target.'.length : 0));
      // The call starts a line of its own, padded to the caller's column, one line below the offset.
      const body = `return (\n${' '.repeat(pad)}${expression})`;
      call = compileFunction(body, ['target', 'self', 'args'], {
        filename: site.file,
        lineOffset: site.line - 2,
      });
    } catch {
      call = (t, s, a) => t.apply(s, a);
    }
    callers.set(key, call);
  }
  return call(target, self, args);
}

/** The file, line and column of whoever called `boundary`, or null where V8 does not say. */
function callerSite(boundary) {
  const saved = Error.prepareStackTrace;
  const holder = {};
  try {
    Error.prepareStackTrace = (_, sites) => sites;
    Error.captureStackTrace(holder, boundary);
    const site = holder.stack?.[0];
    const file = site?.getScriptNameOrSourceURL();
    const line = site?.getLineNumber();
    const column = site?.getColumnNumber();
    if (!file || !line || !column) return null;
    return { file, line, column };
  } finally {
    Error.prepareStackTrace = saved;
  }
}
