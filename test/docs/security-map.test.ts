import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// docs/SECURITY.md says, for each threat and ASVS requirement, which test covers it. This keeps that true: every
// test file it names exists, every test name it quotes is in that file, and the ASVS map lists every requirement
// of V7, V9 and V3.3 with nothing left partial.

const doc = readFileSync('docs/SECURITY.md', 'utf8');

/** The text of a test file, of every file under a folder, or of the files matching `dir/name*.ext`. */
function sourceOf(path: string): string | null {
  const star = /^(.*)\/([^/]*)\*([^/]*)$/.exec(path);
  if (star !== null) {
    const [, dir, head, tail] = star as unknown as [string, string, string, string];
    if (!existsSync(dir)) return null;
    const names = readdirSync(dir).filter((name) => name.startsWith(head) && name.endsWith(tail));
    return names.length === 0 ? null : names.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
  }
  const clean = path.replace(/\/$/, '');
  if (!existsSync(clean)) return null;
  if (!statSync(clean).isDirectory()) return readFileSync(clean, 'utf8');
  const parts: string[] = [];
  for (const name of readdirSync(clean)) {
    const child = sourceOf(join(clean, name));
    if (child !== null) parts.push(child);
  }
  return parts.join('\n');
}

/** Source text with JavaScript string escapes of quotes undone, as a test name reads. */
function unescapeQuotes(source: string): string {
  return source.replace(/\\'/g, "'").replace(/\\"/g, '"');
}

interface Citation {
  readonly path: string;
  readonly names: string[];
}

/** The test files a table cell cites, each with the test names quoted after it. */
function citationsIn(cell: string): Citation[] {
  const out: Citation[] = [];
  const pieces = cell.split(/`(test\/[^`]+)`/);
  for (let i = 1; i < pieces.length; i += 2) {
    const names: string[] = [];
    const after = pieces[i + 1] ?? '';
    for (const match of after.matchAll(/(?<=^|[\s(])"(.+?)"(?=[,;]|\s\(|\s*$)/g))
      names.push(match[1] as string);
    out.push({ path: pieces[i] as string, names });
  }
  return out;
}

/** The fixed parts of a quoted name: `…` stands for an elided stretch, `<write>` for a per-case part. */
function fixedParts(name: string): string[] {
  return name
    .split(/…|<[^>]+>/)
    .map((part) => part.trim())
    .filter((part) => part.length > 3);
}

const rows = doc.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('|---'));

describe('docs/SECURITY.md', () => {
  it('every cited test file exists and contains every test name quoted for it', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const row of rows) {
      const cells = row.replace(/ \|$/, '').split(' | ');
      const cell = cells[cells.length - 1] ?? '';
      for (const { path, names } of citationsIn(cell)) {
        const source = sourceOf(path);
        if (source === null) {
          problems.push(`${path}: no such test file`);
          continue;
        }
        const text = unescapeQuotes(source);
        for (const name of names) {
          for (const part of fixedParts(name)) {
            checked += 1;
            if (!text.includes(part)) problems.push(`${path}: no test named like "${part}"`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked > 100, `only ${checked} names checked: the parser lost the citations`);
  });

  it('the ASVS 5.0 map has every V7, V9 and V3.3 requirement, each covered or said not applicable', () => {
    const expected = [
      ...['7.1.1', '7.1.2', '7.1.3', '7.2.1', '7.2.2', '7.2.3', '7.2.4', '7.3.1', '7.3.2'],
      ...['7.4.1', '7.4.2', '7.4.3', '7.4.4', '7.4.5', '7.5.1', '7.5.2', '7.5.3', '7.6.1', '7.6.2'],
      ...['9.1.1', '9.1.2', '9.1.3', '9.2.1', '9.2.2', '9.2.3', '9.2.4'],
      ...['3.3.1', '3.3.2', '3.3.3', '3.3.4', '3.3.5'],
    ];
    const map = doc.slice(doc.indexOf('## ASVS 5.0'), doc.indexOf('\n## ', doc.indexOf('## ASVS 5.0') + 1));
    const found = new Map<string, string[]>();
    for (const line of map.split('\n')) {
      const match = /^\| (\d+\.\d+\.\d+) [^|]*\| (L\d) \| ([^|]*) \| (.*) \|$/.exec(line);
      if (match !== null)
        found.set(match[1] as string, [match[2] as string, match[3] as string, match[4] as string]);
    }
    assert.deepEqual([...found.keys()], expected, 'every requirement, in order');
    for (const [id, [, what, covered]] of found) {
      assert.ok(!/\bpartial/i.test(what as string), `${id} is not partial`);
      if (/^not applicable/.test(what as string)) continue;
      assert.ok((covered as string).includes('`test/'), `${id} names the test that covers it`);
    }
  });
});
