import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (where package.json is). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** One TypeScript code block of a Markdown file. */
export interface CodeBlock {
  /** `README.md`, `docs/web.md`, … */
  file: string;
  /** The line of the block's first line of code (1-based). */
  line: number;
  code: string;
  /**
   * Where the block is checked as if it were a file, relative to the root: by default a file at the root (so
   * `./examples/…` imports resolve); `<!-- typecheck: as <path> -->` on the line before the fence names another
   * place, for blocks that show a file of this repository (a store's test file).
   */
  as: string;
  /** `<!-- typecheck: skip <reason> -->` on the line before the fence: the reason; null when checked. */
  skipped: string | null;
}

const FENCE = /^( *)```(ts|typescript)\s*$/;
const MARKER = /^\s*<!-- typecheck: (as|skip) (.+?) -->\s*$/;

/** Every ```ts block of README.md and docs/*.md, in file order. */
export function markdownCodeBlocks(): CodeBlock[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  return files.flatMap((file) => blocksOf(file, readFileSync(join(ROOT, file), 'utf8')));
}

function blocksOf(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] as string); j++) {
      body.push(
        (lines[j] as string).slice(Math.min(indent, /^ */.exec(lines[j] as string)?.[0].length ?? 0)),
      );
    }
    const marker = MARKER.exec(lines[i - 1] ?? '') ?? MARKER.exec(lines[i - 2] ?? '');
    const n = blocks.length + 1;
    blocks.push({
      file,
      line: i + 2,
      code: `${body.join('\n')}\n`,
      as:
        marker?.[1] === 'as'
          ? (marker[2] as string)
          : `__doc-block-${file.replace(/[^a-z0-9]+/gi, '-')}-${n}.ts`,
      skipped: marker?.[1] === 'skip' ? (marker[2] as string) : null,
    });
    i = j;
  }
  return blocks;
}

/** The package's name and its entry points mapped to the sources (`"./sqlite"` → `./src/stores/sqlite/index.ts`). */
export function packagePaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { default: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const source = target.default.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts');
    paths[entry === '.' ? pkg.name : `${pkg.name}${entry.slice(1)}`] = [source];
  }
  return paths;
}

/**
 * The compiler options `tsc --init` writes (TypeScript 5.9: strict, `module: nodenext`, `target: esnext`,
 * `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, `verbatimModuleSyntax`, `moduleDetection: force`,
 * `skipLibCheck`, …), read from a real `tsc --init`, with the two lines its template says to uncomment "for
 * nodejs" (`lib: ["esnext"]`, `types: ["node"]`) and `overrides` applied.
 */
export function tscInitOptions(overrides: Record<string, unknown>): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tsc-init-'));
  try {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '--init'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`tsc --init failed: ${run.stdout}${run.stderr}`);
    const parsed = ts.parseConfigFileTextToJson(
      'tsconfig.json',
      readFileSync(join(dir, 'tsconfig.json'), 'utf8'),
    );
    if (parsed.error !== undefined) throw new Error('tsc --init wrote a tsconfig.json that does not parse');
    const init = (parsed.config as { compilerOptions: Record<string, unknown> }).compilerOptions;
    return { ...init, lib: ['esnext'], types: ['node'], ...overrides };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names the docs' fragments use without defining them (the prose around each block defines them). */
const CONTEXT = `
declare const store: import('@tessera-sessions/tessera').SessionStore;
declare const manager: import('@tessera-sessions/tessera').SessionManager;
declare const sessions: import('@tessera-sessions/tessera').HttpSessions;
declare const session: import('@tessera-sessions/tessera').Session;
declare const user: { id: string };
declare const role: string;
declare const req: import('node:http').IncomingMessage;
declare const res: import('node:http').ServerResponse;
declare const ip: string;
declare const userAgent: string;
declare const sessionToken: string;
declare const tokens: import('@tessera-sessions/tessera/jwt').AccessTokens;
declare const log: { error(message: string, fields?: Record<string, unknown>): void };
declare function checkPassword(email: string, password: string): Promise<{ id: string } | null>;
declare function askForPassword(): void;
declare const dataDir: string;
declare const clock: import('@tessera-sessions/tessera').Clock;
// A Fastify body parser docs/web.md names; this repository does not install it.
declare module '@fastify/formbody' {
  const plugin: import('fastify').FastifyPluginCallback;
  export default plugin;
}
interface MyData extends Record<string, import('@tessera-sessions/tessera').JsonValue> { theme?: string }
`;

export interface BlockError {
  where: string;
  message: string;
}

/**
 * Typechecks every block that is not skipped, each as its own module file, under `options` (tsconfig.json
 * spelling), with the package name resolved to the sources. Returns the errors in the blocks (errors inside
 * the library's own sources are the library's typecheck's business, under its own tsconfig).
 */
export function typecheckBlocks(
  blocks: readonly CodeBlock[],
  compilerOptions: Record<string, unknown>,
): BlockError[] {
  const config = ts.parseJsonConfigFileContent(
    {
      compilerOptions: { ...compilerOptions, noEmit: true, paths: packagePaths() },
      files: ['__doc-context.d.ts'],
    },
    ts.sys,
    ROOT,
  );
  const errors0 = config.errors.filter((error) => error.code !== 6053); // the virtual file is not on disk
  if (errors0.length > 0) throw new Error(ts.flattenDiagnosticMessageText(errors0[0]?.messageText, '\n'));
  const virtual = new Map<string, { block: CodeBlock | null; text: string }>();
  virtual.set(join(ROOT, '__doc-context.d.ts'), { block: null, text: CONTEXT });
  for (const block of blocks) {
    if (block.skipped === null) virtual.set(join(ROOT, block.as), { block, text: block.code });
  }
  const host = ts.createCompilerHost(config.options, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => virtual.get(file)?.text ?? read(file);
  host.fileExists = (file) => virtual.has(file) || exists(file);
  host.getSourceFile = (file, language, onError, create) => {
    const entry = virtual.get(file);
    return entry === undefined
      ? getSourceFile(file, language, onError, create)
      : ts.createSourceFile(file, entry.text, language);
  };
  const program = ts.createProgram([...virtual.keys()], config.options, host);
  const errors: BlockError[] = [];
  // Only the blocks' own diagnostics (and the options'): checking all of src/ again would be slow and is
  // the business of the library's typecheck, under its own tsconfig.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...virtual.keys()].flatMap((file) => {
      const source = program.getSourceFile(file);
      return source === undefined
        ? []
        : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined) {
      errors.push({ where: 'compiler options', message });
      continue;
    }
    const entry = virtual.get(diagnostic.file.fileName);
    if (entry === undefined) continue;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    errors.push({
      where: entry.block === null ? `context:${line + 1}` : `${entry.block.file}:${entry.block.line + line}`,
      message,
    });
  }
  return errors;
}
