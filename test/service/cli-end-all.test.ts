import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EVERYONE_SCOPE } from '../../src/core/cutoffs.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { runNode } from './child.js';
import { startService, type TestService } from './helpers.js';

const cli = (args: string[], env: Record<string, string>) =>
  runNode(['--import', 'tsx', 'src/cli/main.ts', ...args], env);

describe('tessera sessions end-all (SQLite, with a service running on the same file)', () => {
  let api: TestService;
  let cliDir: string;
  let env: Record<string, string>;
  before(async () => {
    api = await startService({}, { store: 'sqlite' });
    cliDir = await mkdtemp(join(tmpdir(), 'tessera-cli-end-all-'));
    env = { TESSERA_DATA_DIR: cliDir, TESSERA_STORE: `sqlite:${join(api.dataDir, 'tessera.sqlite')}` };
  });
  after(async () => {
    await api.close();
    await rm(cliDir, { recursive: true, force: true });
  });

  async function login(subject: string): Promise<string> {
    const created = await api.call('POST', '/v1/sessions', { subject });
    assert.equal(created.status, 201);
    return created.body.token as string;
  }

  async function status(token: string): Promise<number> {
    return (await api.call('POST', '/v1/sessions/validate', { token })).status;
  }

  it('refuses without --yes (exit 2, a clear message) and with an unknown argument; nothing changes', async () => {
    const token = await login('cli-alice');
    const bare = cli(['sessions', 'end-all'], env);
    assert.equal(await bare.exited, 2, bare.output());
    assert.match(bare.output(), /signs out every user/);
    assert.match(bare.output(), /nothing was changed; run it again with --yes/);
    const odd = cli(['sessions', 'end-all', '--force'], env);
    assert.equal(await odd.exited, 2, odd.output());
    assert.match(odd.output(), /unknown argument "--force"/);
    const other = cli(['sessions', 'list'], env);
    assert.equal(await other.exited, 2);
    assert.match(other.output(), /Usage: tessera sessions end-all --yes/);
    assert.equal(await status(token), 200, 'the session lives on');
    const help = cli(['help'], env);
    assert.equal(await help.exited, 0);
    assert.match(help.output(), /sessions end-all --yes/);
  });

  it('with --yes ends every session of every user in the store, and the running service refuses them', async () => {
    const tokens = [await login('cli-bob'), await login('cli-bob'), await login('cli-carol')];
    for (const token of tokens) assert.equal(await status(token), 200);
    const child = cli(['sessions', 'end-all', '--yes', '--reason', 'drill'], env);
    assert.equal(await child.exited, 0, child.output());
    // These three and cli-alice's from the case before.
    assert.match(child.output(), /^tessera: ended 4 sessions in the sqlite store\n$/);
    for (const token of tokens) assert.equal(await status(token), 401, 'refused by the service next request');
    const store = new SqliteStore({ path: env.TESSERA_STORE?.slice('sqlite:'.length) as string });
    try {
      assert.ok(((await store.getSubjectNotBefore(EVERYONE_SCOPE)) ?? 0) > 0, 'the cut-off is set');
    } finally {
      await store.close();
    }
    const fresh = await login('cli-bob');
    assert.equal(await status(fresh), 200, 'a login afterwards works');
  });
});
