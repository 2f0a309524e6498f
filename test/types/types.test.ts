import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// The type tests: `*.types.ts` beside this file, typechecked (never run) with test/types/tsconfig.json, which
// extends the repository's options. A wrong `check<Equal<…>>()` or `Expect<…>` is error 2344 and a
// `@ts-expect-error` whose line compiles is error 2578, so the diagnostics must be none, with
// exactOptionalPropertyTypes off (as in tsconfig.json) and on (as in `tsc --init` projects). The self-checks
// below prove that the check sees such errors, and that each guarded regression in src/adapters/ is caught.
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CONFIG = join(HERE, 'tsconfig.json');

/** Every file the type tests cover, by adapter: a file that goes missing fails here, not silently. */
const TYPE_FILES = [
  'core.types.ts',
  'express.types.ts',
  'fastify.types.ts',
  'fetch.types.ts',
  'hono.types.ts',
  'next.types.ts',
  'node.types.ts',
  'shared.types.ts',
];

interface Found {
  file: string;
  line: number;
  code: number;
  message: string;
}

function parsedConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    CONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${CONFIG}`);
  return parsed;
}

const config = parsedConfig();
// Parsed once for every program below (a mutated file is parsed on its own).
const sourceCache = new Map<string, ts.SourceFile | undefined>();

interface Check {
  exact: boolean;
  /** Files served from memory instead of the disk: virtual type tests, or a mutated source file. */
  virtual?: ReadonlyMap<string, string>;
}

/** The diagnostics of the type test files (and of the options): errors in src/ are the main typecheck's. */
function typecheck({ exact, virtual = new Map() }: Check): Found[] {
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, exactOptionalPropertyTypes: exact };
  const host = ts.createCompilerHost(options, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => virtual.get(file) ?? read(file);
  host.fileExists = (file) => virtual.has(file) || exists(file);
  host.getSourceFile = (file, language, onError) => {
    const text = virtual.get(file);
    if (text !== undefined) return ts.createSourceFile(file, text, language, true);
    if (!sourceCache.has(file)) sourceCache.set(file, getSourceFile(file, language, onError));
    return sourceCache.get(file);
  };
  const roots = [...config.fileNames, ...[...virtual.keys()].filter((file) => file.startsWith(HERE))];
  const program = ts.createProgram({ rootNames: [...new Set(roots)], options, host });
  const mine = program.getSourceFiles().filter((source) => source.fileName.startsWith(`${HERE}/`));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...mine.flatMap((source) => [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]),
  ];
  return diagnostics.map((diagnostic) => ({
    file: diagnostic.file === undefined ? '(options)' : relative(HERE, diagnostic.file.fileName),
    line:
      diagnostic.file === undefined
        ? 0
        : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1,
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
}

function show(found: readonly Found[]): string {
  return found.map((d) => `${d.file}:${d.line} TS${d.code} ${d.message}`).join('\n');
}

describe('type tests (test/types/*.types.ts)', () => {
  it('cover every adapter: the tsconfig takes each file, and each asserts types and refusals', () => {
    const onDisk = readdirSync(HERE)
      .filter((name) => name.endsWith('.types.ts'))
      .sort();
    assert.deepEqual(onDisk, TYPE_FILES);
    const taken = config.fileNames.map((file) => relative(HERE, file)).sort();
    assert.deepEqual(
      taken.filter((name) => name.endsWith('.types.ts')),
      TYPE_FILES,
    );
    for (const name of TYPE_FILES) {
      const text = readFileSync(join(HERE, name), 'utf8');
      assert.match(text, /\bcheck<|Expect</, `${name}: no type assertion`);
      assert.match(text, /@ts-expect-error: \S/, `${name}: no refusal (with its reason)`);
    }
  });

  it('compile with the repository options (exactOptionalPropertyTypes off)', () => {
    const found = typecheck({ exact: false });
    assert.equal(found.length, 0, show(found));
  });

  it('compile with exactOptionalPropertyTypes on', () => {
    const found = typecheck({ exact: true });
    assert.equal(found.length, 0, show(found));
  });
});

describe('the type check can fail', () => {
  const probe = join(HERE, '__probe.types.ts');
  const text = [
    "import { check, type Equal, type Expect, type IsAny, type Not } from './helpers.js';",
    'export type Wrong = Expect<Equal<string, number>>;', // 2: not equal
    'export type Loose = Expect<Equal<{ a: 1 }, { a: 1; b?: 2 }>>;', // 3: assignable is not equal
    'export type AnyLeak = Expect<Equal<ReturnType<typeof JSON.parse>, string>>;', // 4: `any` equals nothing else
    'export type AnyFlagged = Expect<Not<IsAny<ReturnType<typeof JSON.parse>>>>;', // 5
    'export function f(): void {',
    '  check<Equal<1, 2>>();', // 7
    '  // @ts-expect-error: this line compiles, so the directive is unused',
    "  const fine: string = 'x';", // 9: the directive above, line 8, is reported
    '  void fine;',
    '}',
    'export const optional: { a?: string } = { a: undefined };', // 12: with exactOptionalPropertyTypes only
    '',
  ].join('\n');

  it('reports a wrong assertion, an `any`, and an unused @ts-expect-error', () => {
    const found = typecheck({ exact: false, virtual: new Map([[probe, text]]) });
    const inProbe = found.filter((d) => d.file === '__probe.types.ts');
    assert.deepEqual(
      inProbe.map((d) => [d.line, d.code]),
      [
        [2, 2344],
        [3, 2344],
        [4, 2344],
        [5, 2344],
        [7, 2344],
        [8, 2578],
      ],
      show(found),
    );
    assert.equal(found.length, inProbe.length, show(found));
  });

  it('applies exactOptionalPropertyTypes in the second pass', () => {
    const found = typecheck({ exact: true, virtual: new Map([[probe, text]]) });
    const lines = found.filter((d) => d.file === '__probe.types.ts').map((d) => d.line);
    assert.ok(lines.includes(12), show(found));
  });
});

/**
 * Regressions the type tests must catch: each replaces one declaration in src/ (in memory) with what a
 * regression would make of it, and the named type test file must then fail. When a declaration changes on
 * purpose, update its `from` here (the test says so when `from` is no longer found).
 */
const MUTATIONS: { name: string; file: string; from: string; to: string; caughtBy: string }[] = [
  {
    name: 'session data not flowing (Session<Data>.data widened to SessionData)',
    file: 'src/core/session.ts',
    from: '  readonly data: Data;',
    to: '  readonly data: SessionData;',
    caughtBy: 'core.types.ts',
  },
  {
    name: 'login accepting any JSON data, not only Data',
    file: 'src/transport/session-mode.ts',
    from: '  subject: string;\n  data?: Data;',
    to: '  subject: string;\n  data?: SessionData;',
    caughtBy: 'express.types.ts',
  },
  {
    name: 'fetch guard not inferring Data from the mode',
    file: 'src/adapters/fetch/index.ts',
    from: '  mode: Mode & SessionAuthenticator<Data>,',
    to: '  mode: Mode,',
    caughtBy: 'fetch.types.ts',
  },
  {
    name: 'express session(req) leaking any',
    file: 'src/adapters/express/index.ts',
    from: '  session(req: Request): Session<Data> | null;',
    to: '  session(req: Request): Session<any> | null;',
    caughtBy: 'express.types.ts',
  },
  {
    name: 'fastify request.session augmentation typed any',
    file: 'src/adapters/fastify/index.ts',
    from: '    session: Session<SessionData> | null;',
    to: '    session: any;',
    caughtBy: 'fastify.types.ts',
  },
  {
    name: 'hono helpers refusing a context with other bindings and variables',
    file: 'src/adapters/hono/index.ts',
    from: 'type C<Data extends SessionData, E extends TesseraEnv<Data>> = Context<E>;',
    to: 'type C<Data extends SessionData, _E extends TesseraEnv<Data>> = Context<TesseraEnv<Data>>;',
    caughtBy: 'hono.types.ts',
  },
  {
    name: 'next action failure losing its CSRF reason',
    file: 'src/adapters/next/failure.ts',
    from: "      readonly reason: CsrfReason | 'unchecked';",
    to: '      readonly reason?: string;',
    caughtBy: 'next.types.ts',
  },
  {
    name: 'next action result without the failure union',
    file: 'src/adapters/next/action.ts',
    from: '  (formData: FormData): Promise<Result | NextActionFailure>;',
    to: '  (formData: FormData): Promise<Result>;',
    caughtBy: 'next.types.ts',
  },
  {
    name: 'node openNode losing Data',
    file: 'src/adapters/node/index.ts',
    from: '): Promise<RequestSession<Data> | null> {',
    to: '): Promise<RequestSession | null> {',
    caughtBy: 'node.types.ts',
  },
];

describe('the type tests catch regressions in src/', () => {
  for (const mutation of MUTATIONS) {
    it(mutation.name, () => {
      const path = join(ROOT, mutation.file);
      const source = readFileSync(path, 'utf8');
      assert.equal(
        source.split(mutation.from).length - 1,
        1,
        `${mutation.file} no longer holds ${JSON.stringify(mutation.from)} once: update this mutation`,
      );
      const found = typecheck({
        exact: false,
        virtual: new Map([[path, source.replace(mutation.from, mutation.to)]]),
      });
      assert.ok(
        found.some((d) => d.file === mutation.caughtBy),
        `${mutation.caughtBy} did not fail; diagnostics:\n${show(found) || '(none)'}`,
      );
    });
  }
});
