import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { default: string }>;
};

/** The first block of `language` after the text `marker`. */
function blockAfter(marker: string, language: string): string {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README has "${marker}"`);
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at));
  assert.ok(match, `a ${language} block after "${marker}"`);
  return match[1] as string;
}

/** A README example with the package's imports turned into the repository's relative ones (from examples/). */
function asRepositoryFile(code: string): string {
  let out = code;
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const name = entry === '.' ? pkg.name : `${pkg.name}${entry.slice(1)}`;
    const source = target.default.replace(/^\.\/dist\//, '../');
    out = out.replaceAll(`from '${name}'`, `from '${source}'`);
  }
  return out;
}

const exampleFile = (path: string): string =>
  readFileSync(join(ROOT, path), 'utf8').split('\n').slice(1).join('\n');

describe('README', () => {
  it('opens with the install-and-run command and the test command, then "Install and first app"', () => {
    const head = readme.split('\n').slice(0, 12).join('\n');
    assert.match(head, /npm ci && npm start/);
    assert.match(head, /npm test/);
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    assert.equal(sections[0], 'Install and first app');
    const beforeSection = readme.slice(0, readme.indexOf('## Install and first app'));
    assert.equal([...beforeSection.matchAll(/```sh/g)].length, 1, 'only the two commands come before it');
  });

  it('installs the package by its scoped npm name, used everywhere (`tessera` on npm is another package)', () => {
    assert.match(pkg.name, /^@[a-z0-9-]+\/tessera$/);
    assert.match(
      blockAfter('## Install and first app', 'sh'),
      new RegExp(`^npm i ${pkg.name} express$`, 'm'),
    );
    assert.match(readme, /ESM only/);
    assert.match(readme, /Node\.js 20\.6/);
    for (const file of ['README.md', ...readdirDocs()]) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.doesNotMatch(text, /from '(tessera)(\/[a-z-]+)?'/, `${file} imports the scoped name`);
      assert.doesNotMatch(text, /`tessera\/[a-z-]+`/, `${file} names entries by the scoped name`);
    }
  });

  it('shows the same library example that examples/readme-server.ts typechecks', () => {
    const fromReadme = asRepositoryFile(blockAfter('## The library in 15 lines', 'ts'));
    assert.equal(fromReadme, exampleFile('examples/readme-server.ts'));
    const codeLines = fromReadme.split('\n').filter((line) => line.trim() !== '');
    assert.ok(codeLines.length <= 16, `the example stays about 15 lines (has ${codeLines.length})`);
  });

  it('shows the same first app as examples/first-app.ts, with a login form carrying the CSRF token', () => {
    const fromReadme = blockAfter('## Install and first app', 'ts');
    assert.equal(asRepositoryFile(fromReadme), exampleFile('examples/first-app.ts'));
    assert.match(fromReadme, /name="_csrf" value="\$\{auth\.csrfToken\(req\)\}"/);
    assert.match(fromReadme, /MemoryStore/);
  });

  it('the first app runs, and the curl transcript under it is what curl prints', async (t) => {
    if (spawnSync('curl', ['--version']).error !== undefined) {
      t.skip('curl is not installed: the transcript is not replayed');
      return;
    }
    const port = await freePort();
    const app = spawn(process.execPath, ['--import', 'tsx', 'examples/first-app.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'tessera-first-app-'));
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        app.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (output.includes(`http://localhost:${port}/login`)) resolve();
        });
        app.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
        });
        app.once('exit', () => reject(new Error(`the first app exited:\n${output}`)));
      });
      const steps = transcript(blockAfter('`node app.js`, then open', 'sh'));
      assert.ok(steps.length >= 4);
      // One shell, so `TOKEN` and the cookie jar carry from step to step, as they do for the reader.
      const script = steps
        .map(
          (step, n) =>
            `echo '<<<step ${n}>>>'\n${step.command.replaceAll('localhost:3000', `localhost:${port}`)}`,
        )
        .join('\n');
      const run = spawnSync('bash', ['-c', `set -e\n${script}\necho '<<<end>>>'`], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const outputs = run.stdout.split(/<<<step \d+>>>\n/).slice(1);
      steps.forEach((step, n) => {
        const actual = (outputs[n] ?? '').replace(/\r/g, '');
        let from = 0;
        for (const fragment of step.expected
          .flatMap((line) => line.split('…'))
          .filter((part) => part !== '')) {
          const found = actual.indexOf(fragment, from);
          assert.ok(
            found >= 0,
            `step ${n} (${step.command}) printed "${fragment}" after the previous line:\n${actual}`,
          );
          from = found + fragment.length;
        }
      });
    } finally {
      app.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('links only to docs that exist', () => {
    for (const [, path] of readme.matchAll(/\]\((docs\/[^)#]+)\)/g)) {
      assert.doesNotThrow(() => readFileSync(join(ROOT, path as string)), `missing ${path}`);
    }
  });
});

function readdirDocs(): string[] {
  return readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
}

/** `$ command` lines (with `\` continuations) and the output lines printed under each. */
function transcript(block: string): { command: string; expected: string[] }[] {
  const steps: { command: string; expected: string[] }[] = [];
  let continued = false;
  for (const line of block.split('\n')) {
    const last = steps.at(-1);
    if (continued && last !== undefined) {
      last.command += `\n${line}`;
    } else if (line.startsWith('$ ')) {
      steps.push({ command: line.slice(2), expected: [] });
    } else if (line !== '' && last !== undefined) {
      last.expected.push(line);
    }
    continued = line.endsWith('\\');
  }
  return steps;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
