import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('opens with the install-and-run command and the test command', () => {
    const head = readme.split('\n').slice(0, 12).join('\n');
    assert.match(head, /npm ci && npm start/);
    assert.match(head, /npm test/);
  });

  it('shows the same library example that examples/readme-server.ts typechecks', () => {
    const match = /## The library in 15 lines\n\n```ts\n([\s\S]*?)```/.exec(readme);
    assert.ok(match, 'README has the library example');
    const fromReadme = (match[1] as string)
      .replace("from 'tessera/node'", "from '../src/adapters/node/index.js'")
      .replace("from 'tessera/sqlite'", "from '../src/stores/sqlite/index.js'")
      .replace("from 'tessera'", "from '../src/index.js'");
    const example = readFileSync('examples/readme-server.ts', 'utf8').split('\n').slice(1).join('\n');
    assert.equal(fromReadme, example);
    const codeLines = fromReadme.split('\n').filter((line) => line.trim() !== '');
    assert.ok(codeLines.length <= 16, `the example stays about 15 lines (has ${codeLines.length})`);
  });

  it('links only to docs that exist', () => {
    for (const [, path] of readme.matchAll(/\]\((docs\/[^)#]+)\)/g)) {
      assert.doesNotThrow(() => readFileSync(path as string), `missing ${path}`);
    }
  });
});
