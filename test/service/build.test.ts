import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runNode } from './child.js';
import { call } from './helpers.js';

// `npm start` runs scripts/start.mjs: it builds dist/ with tsc when the sources changed, then serves from dist/. This
// checks the build and the built CLI end to end (slow-ish); test/service/start.test.ts checks the start script.
describe('npm start path', () => {
  it('builds, then the compiled CLI serves /healthz on the default SQLite store', async () => {
    const build = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let buildOutput = '';
    build.stdout.on('data', (chunk: Buffer) => {
      buildOutput += chunk.toString('utf8');
    });
    build.stderr.on('data', (chunk: Buffer) => {
      buildOutput += chunk.toString('utf8');
    });
    const [code] = await once(build, 'exit');
    assert.equal(code, 0, `npm run build failed:\n${buildOutput}`);
    assert.ok(existsSync(join(ROOT, 'dist/src/cli/main.js')));

    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-build-'));
    const child = runNode(['dist/src/cli/main.js', 'serve'], {
      TESSERA_PORT: '0',
      TESSERA_DATA_DIR: dataDir,
    });
    try {
      const base = `http://127.0.0.1:${await child.port}`;
      const health = await call(base, 'GET', '/healthz', undefined, { key: null });
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok', store: 'sqlite' });
      // The built service finds docs/openapi.json from dist/src/service/ and serves it as it is.
      const openapi = await call(base, 'GET', '/openapi.json', undefined, { key: null });
      assert.equal(openapi.status, 200);
      assert.equal(openapi.text, readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
    } finally {
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0, child.output());
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
