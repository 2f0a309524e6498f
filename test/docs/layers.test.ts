// The layering docs/ARCHITECTURE.md draws, checked against the imports the code really has: a file may import
// its own layer and the layers listed for it, nothing else, so imports point one way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Each layer and the layers below it that it may import. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  client: [], // runs in the browser: WebCrypto, IndexedDB, Web Locks, BroadcastChannel and fetch only
  transport: ['core'],
  stores: ['core'],
  audit: ['core'],
  stateless: ['core', 'transport'],
  adapters: ['core', 'transport'],
  service: ['core', 'transport', 'stateless', 'stores', 'audit'],
  cli: ['core', 'transport', 'stateless', 'stores', 'audit', 'service'],
  index: ['core', 'transport', 'stateless', 'stores', 'audit'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/<layer>/…` → layer; `src/index.ts` → `index`. */
function layerOf(path: string): string {
  const parts = relative(join(ROOT, 'src'), path).split('/');
  return parts.length === 1 ? 'index' : (parts[0] as string);
}

describe('layering', () => {
  it('every import in src/ points to its own layer or one the architecture allows', () => {
    const wrong: string[] = [];
    for (const file of files(join(ROOT, 'src'))) {
      const from = layerOf(file);
      assert.ok(from in ALLOWED, `${relative(ROOT, file)}: layer ${from} is not in the map`);
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = layerOf(normalize(join(dirname(file), match[1] as string)));
        if (to !== from && !(ALLOWED[from] ?? []).includes(to))
          wrong.push(`${relative(ROOT, file)} -> ${match[1]}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("runtime/ (#crypto, #jose) imports nothing of src/, each provider only its own platform's sibling; the client, which runs only in browsers, uses neither", () => {
    const runtime = join(ROOT, 'runtime');
    for (const name of readdirSync(runtime)) {
      const text = readFileSync(join(runtime, name), 'utf8');
      const platform = /-(node|web)\.js$/.exec(name)?.[1];
      for (const match of text.matchAll(/from '([^']+)'/g)) {
        const target = match[1] as string;
        // jose-web.js may take base64url and UTF-8 from crypto-web.js (same platform), nothing else relative.
        const sibling = platform !== undefined && new RegExp(`^\\./[a-z]+-${platform}\\.js$`).test(target);
        assert.ok(
          sibling || (!target.startsWith('.') && !target.startsWith('#')),
          `runtime/${name} imports ${target}`,
        );
      }
    }
    for (const file of files(join(ROOT, 'src/client'))) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /from '#(crypto|jose)'/, relative(ROOT, file));
    }
  });

  it('docs/ARCHITECTURE.md names every layer of the map', () => {
    const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    for (const layer of Object.keys(ALLOWED)) {
      if (layer !== 'index') assert.match(doc, new RegExp(`src/${layer}/`), `${layer} is in the map`);
    }
  });
});
