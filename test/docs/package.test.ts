import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  name: string;
  license: string;
  sideEffects: unknown;
  scripts: Record<string, string>;
  files: string[];
  exports: Record<string, unknown>;
  publishConfig?: { access?: string };
};

// What `npm pack` / `npm publish` ship to a new user (issue 10: "a package a new user can install in seconds").
describe('package.json is ready to publish', () => {
  it('a scoped name (`tessera` on npm is an unrelated package), public, ESM, side-effect free', () => {
    assert.equal(pkg.name, '@tessera-sessions/tessera');
    assert.equal(pkg.publishConfig?.access, 'public', 'a scoped package is private unless published public');
    assert.equal(pkg.sideEffects, false);
    assert.equal((JSON.parse(read('package.json')) as { type: string }).type, 'module');
  });

  it('`npm pack` builds first, and ships the code, its types, LICENSE, README and docs, no source maps', () => {
    assert.equal(pkg.scripts.prepack, 'npm run build');
    for (const entry of ['dist/src', 'LICENSE', 'README.md', 'docs'])
      assert.ok(pkg.files.includes(entry), entry);
    assert.ok(pkg.files.includes('!dist/src/**/*.map'), 'maps left by older builds stay out');
    assert.ok(pkg.files.includes('!docs/console'), 'the console screenshots (1.4 MB) stay in the repository');
    // Source maps would point at src/, which is not shipped: the build emits none.
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: Record<string, unknown> };
    assert.equal(build.compilerOptions.sourceMap, false);
    assert.notEqual(build.compilerOptions.declarationMap, true);
  });

  it('LICENSE holds the Apache License 2.0 that package.json names', () => {
    assert.equal(pkg.license, 'Apache-2.0');
    const license = read('LICENSE');
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
    assert.match(license, /Copyright 2026 The Tessera authors/);
  });

  it('the file-system helpers have their own entries, out of `…/jwt` and `…/refresh`', () => {
    assert.ok('./jwt/key-file' in pkg.exports);
    assert.ok('./refresh/secret-file' in pkg.exports);
    assert.doesNotMatch(read('src/stateless/jwt/index.ts'), /key-file/);
    assert.doesNotMatch(read('src/stateless/refresh/index.ts'), /secret-file/);
  });
});
