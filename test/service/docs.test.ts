import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

  it('every environment variable the service reads is in the docs/API.md table', () => {
    const source = readFileSync(`${ROOT}src/service/config.ts`, 'utf8');
    const names = new Set(source.match(/TESSERA_[A-Z_]+/g));
    assert.ok(names.size >= 10);
    for (const name of names) assert.ok(api.includes(`| \`${name}\` |`), `${name} is documented`);
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
