import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classifyError, SERVICE_ERROR_CODES } from '../../src/service/http-errors.js';
import { ROOT } from './child.js';

const api = readFileSync(`${ROOT}docs/API.md`, 'utf8');

describe('service docs and error mapping', () => {
  it('every service error code and engine code the API answers is in the docs/API.md table', () => {
    const engine = [
      'token_missing',
      'token_invalid',
      'session_expired',
      'version_conflict',
      'data_too_large',
      'session_limit',
      'store_unavailable',
    ];
    for (const code of [...SERVICE_ERROR_CODES, ...engine]) {
      assert.match(api, new RegExp(`\\| \\d{3} \\| \`${code}\` \\|`), `${code} is documented`);
    }
  });

  it('every TESSERA_ variable named anywhere in src/ is in the docs/API.md table', () => {
    const names = new Set<string>();
    for (const file of sourceFiles(`${ROOT}src`)) {
      // A name ends in a letter: `TESSERA_JWT_*` in a comment is a family, not a variable.
      for (const name of readFileSync(file, 'utf8').match(/TESSERA_[A-Z_]*[A-Z](?![A-Z_])/g) ?? [])
        names.add(name);
    }
    assert.ok(names.size >= 25, `found ${names.size}`);
    for (const name of names) assert.ok(api.includes(`| \`${name}\` |`), `${name} is documented`);
  });

  it('every method of the store contract is in docs/stores.md', () => {
    const contract = readFileSync(`${ROOT}src/core/store.ts`, 'utf8');
    const stores = readFileSync(`${ROOT}docs/stores.md`, 'utf8');
    const methods = new Set(
      [...contract.matchAll(/^ {2}([a-zA-Z]+)\??\(/gm)].map((match) => match[1] as string),
    );
    assert.ok(methods.size >= 15, `found ${methods.size}`);
    for (const method of methods)
      assert.match(stores, new RegExp(`\\b${method}\\b`), `${method} is in docs/stores.md`);
  });

  it('an unexpected exception becomes 500 internal without its details', () => {
    const { error, kind } = classifyError(new Error('SELECT secret FROM somewhere'));
    assert.equal(kind, 'internal');
    assert.equal(error.status, 500);
    assert.equal(error.code, 'internal');
    assert.equal(error.message, 'Internal error.');
    // A plain TypeError (a bug, not an engine argument check) is internal too.
    assert.equal(classifyError(new TypeError('x is not a function')).error.status, 500);
    assert.equal(
      classifyError(new TypeError('tessera: level must be a non-negative integer')).error.status,
      400,
    );
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}
