import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// `@tessera-sessions/tessera/client` runs in the browser: it may use WebCrypto, IndexedDB, Web Locks,
// BroadcastChannel and fetch, and nothing of Node or of the rest of the package.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = join(ROOT, 'src/client');
const sources = readdirSync(CLIENT)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(join(CLIENT, name), 'utf8') }));

describe('the browser client builds for the browser only', () => {
  it('typechecks with the DOM library and without Node types (tsconfig.client.json: no Buffer, no process)', () => {
    const file = ts.readConfigFile(join(ROOT, 'tsconfig.client.json'), ts.sys.readFile);
    assert.equal(file.error, undefined);
    const config = ts.parseJsonConfigFileContent(file.config, ts.sys, ROOT);
    assert.deepEqual(config.options.types, []);
    assert.ok(config.fileNames.length >= sources.length, 'every client file is checked');
    const program = ts.createProgram(config.fileNames, config.options);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(errors, []);
  });

  it('imports only its own files: no package, no node: module, nothing else of src/', () => {
    const imports = sources.flatMap(({ name, text }) =>
      [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => `${name} -> ${match[1]}`),
    );
    assert.ok(imports.length > 5, 'the imports were found');
    assert.deepEqual(
      imports.filter((line) => !/ -> \.\/[a-z0-9-]+\.js$/.test(line)),
      [],
    );
  });

  it('is the package entry ./client, built with the rest of src/ by tsconfig.build.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    assert.deepEqual(pkg.exports['./client'], {
      types: './dist/src/client/index.d.ts',
      default: './dist/src/client/index.js',
    });
    const build = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(build.config, ts.sys, ROOT);
    assert.ok(parsed.fileNames.some((name) => name.endsWith('src/client/index.ts')));
  });
});
