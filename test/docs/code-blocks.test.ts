import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CodeBlock, markdownCodeBlocks, tscInitOptions, typecheckBlocks } from './code-blocks.js';

// A new user copies these blocks into a project made with `tsc --init`: they must compile there. Each block is
// checked as its own module, with `@tessera-sessions/tessera` resolved to src/ (a `paths` mapping), under the
// init defaults (which include exactOptionalPropertyTypes since TypeScript 5.9) and with that option off (as
// in many older projects, and in this repository's tsconfig.json).
const blocks = markdownCodeBlocks();

/** Blocks deliberately not checked, each with its reason (in the Markdown, next to the block). */
const SKIPPED = ['docs/stores.md'];

describe('TypeScript blocks in README.md and docs/*.md', () => {
  it('are found: both README examples and every docs block, and only the listed ones are skipped', () => {
    assert.ok(blocks.length >= 14, `found ${blocks.length} blocks`);
    assert.ok(
      blocks.some((block) => block.file === 'README.md' && block.code.includes('express.urlencoded')),
    );
    const skipped = blocks.filter((block) => block.skipped !== null);
    assert.deepEqual(
      skipped.map((block) => block.file),
      SKIPPED,
    );
    for (const block of skipped) assert.ok((block.skipped as string).length > 20, `${block.file}: a reason`);
  });

  // A probe block proves the check sees errors: an optional option given `undefined` fails with
  // exactOptionalPropertyTypes only (what `secret: process.env.CSRF_SECRET` did before the option took it).
  const probe: CodeBlock = {
    file: 'probe.md',
    line: 1,
    as: '__doc-block-probe.ts',
    skipped: null,
    code: [
      "import { HttpSessions } from '@tessera-sessions/tessera';",
      'const trustHost: boolean | undefined = process.env.TRUST_HOST === undefined ? undefined : true;',
      'new HttpSessions(manager, { csrf: { trustHost } });',
      '',
    ].join('\n'),
  };

  for (const exact of [true, false]) {
    it(`typecheck under tsc --init defaults with exactOptionalPropertyTypes: ${exact}`, () => {
      const options = tscInitOptions({ exactOptionalPropertyTypes: exact });
      assert.equal(options.strict, true);
      assert.equal(String(options.module).toLowerCase(), 'nodenext');
      const errors = typecheckBlocks([...blocks, probe], options);
      assert.deepEqual(
        errors.filter((error) => !error.where.startsWith('probe.md')).map((e) => `${e.where}: ${e.message}`),
        [],
      );
      const probed = errors.filter((error) => error.where.startsWith('probe.md'));
      if (exact) {
        assert.equal(probed.length, 1, JSON.stringify(probed));
        assert.equal(probed[0]?.where, 'probe.md:3');
        assert.match(probed[0]?.message ?? '', /exactOptionalPropertyTypes/);
      } else {
        assert.deepEqual(probed, []);
      }
    });
  }
});
