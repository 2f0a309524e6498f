import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { statusForCode } from '../../src/core/errors.js';

describe('error codes', () => {
  it('every stable error code is documented with its HTTP status', () => {
    const docs = readdirSync('docs')
      .filter((name) => name.endsWith('.md'))
      .map((name) => readFileSync(`docs/${name}`, 'utf8'))
      .join('\n');
    for (const [code, status] of Object.entries(statusForCode)) {
      const row = docs
        .split('\n')
        .find((line) => line.includes(`\`${code}\``) && line.includes(String(status)));
      assert.ok(row, `error code ${code} (${status}) is not documented in docs/*.md`);
    }
  });
});
