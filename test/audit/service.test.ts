import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditPseudonym } from '../../src/audit/record.js';
import { verifyAuditTrail } from '../../src/audit/verify.js';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { runNode } from '../service/child.js';
import { madeUpToken, startService, type TestService } from '../service/helpers.js';
import { type Dir, tempDir } from './support.js';

const KEY = 'service-audit-key-0123456789abcdefghijkl';

describe('service audit trail over real HTTP', () => {
  let service: TestService;
  let dir: Dir;
  before(async () => {
    service = await startService({ TESSERA_AUDIT_KEY: KEY });
    dir = await tempDir();
  });
  after(async () => {
    await service.close();
    await dir.remove();
  });

  it('writes the events of HTTP calls to <dataDir>/audit.jsonl, chained, pseudonymised, without tokens', async () => {
    const path = join(service.dataDir, 'audit.jsonl');
    assert.equal(service.service.config.auditFile, path);
    await service.service.audit?.flush();
    const earlier = existsSync(path) ? (await readFile(path, 'utf8')).split('\n').length - 1 : 0;
    const created = await service.call('POST', '/v1/sessions', { subject: 'user-42' });
    assert.equal(created.status, 201);
    const token = created.body.token as string;
    const rotated = await service.call('POST', '/v1/sessions/rotate', { token });
    assert.equal(rotated.status, 200);
    const next = rotated.body.token as string;
    assert.equal((await service.call('POST', '/v1/sessions/validate', { token: madeUpToken() })).status, 401);
    assert.equal((await service.call('POST', '/v1/sessions/revoke', { token: next })).status, 204);
    await service.service.audit?.flush();

    const text = await readFile(path, 'utf8');
    for (const secret of [token, next, token.split('.')[2], next.split('.')[2], 'user-42']) {
      assert.ok(!text.includes(secret as string), 'no token, secret or clear subject in the trail');
    }
    const records = text
      .trim()
      .split('\n')
      .slice(earlier)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map((record) => record.type),
      ['created', 'rotated', 'unknown-token', 'revoked'],
    );
    assert.equal(records[0]?.sessionId, created.body.session?.id);
    assert.equal(records[0]?.subjectHmac, auditPseudonym(KEY, 'user-42'));
    assert.equal(records[3]?.reason, 'logout');
    const verdict = await verifyAuditTrail(path);
    assert.ok(verdict.ok);
    assert.equal(verdict.records, earlier + 4);

    const metrics = await service.call('GET', '/metrics');
    assert.match(metrics.text, new RegExp(`^tessera_audit_records_written_total ${earlier + 4}$`, 'm'));
    assert.match(metrics.text, /^tessera_audit_records_dropped_total\{reason="queue_full"\} 0$/m);
    // The request log still carries the public id only.
    const logs = service.logs.join('');
    assert.ok(!logs.includes(token) && !logs.includes(next));
  });

  it('`tessera audit verify` passes an intact trail and fails an edited one with the line', async () => {
    const path = join(service.dataDir, 'audit.jsonl');
    assert.equal((await service.call('POST', '/v1/sessions', { subject: 'user-7' })).status, 201);
    await service.service.audit?.flush();
    const copy = dir.file('copy.jsonl');
    await writeFile(copy, await readFile(path));
    const good = runNode(['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', copy], {});
    assert.equal(await good.exited, 0, good.output());
    assert.match(good.output(), /is intact: \d+ records/);

    const lines = (await readFile(copy, 'utf8')).split('\n');
    lines[0] = (lines[0] as string).replace('"created"', '"rotated"');
    await writeFile(copy, lines.join('\n'));
    const bad = runNode(['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', copy], {});
    assert.equal(await bad.exited, 1, bad.output());
    assert.match(bad.output(), /BROKEN at line 2: .*\(prev_mismatch\)/);

    // Without a file it verifies TESSERA_AUDIT_FILE.
    const configured = runNode(['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify'], {
      TESSERA_AUDIT_FILE: path,
    });
    assert.equal(await configured.exited, 0, configured.output());
  });

  it('a disk that fails after start logs the error and counts it; requests still succeed', {
    skip: !existsSync('/dev/full'),
  }, async () => {
    const full = await startService({ TESSERA_AUDIT_FILE: '/dev/full' });
    try {
      const created = await full.call('POST', '/v1/sessions', { subject: 'user-9' });
      assert.equal(created.status, 201);
      await full.service.audit?.flush();
      const checked = await full.call('POST', '/v1/sessions/validate', { token: created.body.token });
      assert.equal(checked.status, 200);
      const errors = full.logs.filter((line) => line.includes('"msg":"audit trail write failed"'));
      assert.equal(errors.length, 1);
      assert.match(errors[0] as string, /ENOSPC/);
      const metrics = await full.call('GET', '/metrics');
      assert.match(metrics.text, /^tessera_audit_records_dropped_total\{reason="write_failed"\} 1$/m);
    } finally {
      await full.close();
    }
  });

  it('TESSERA_AUDIT_FILE=off writes nothing; a bad key or an unopenable file stops the start', async () => {
    const off = await startService({ TESSERA_AUDIT_FILE: 'off' });
    try {
      assert.equal(off.service.audit, null);
      assert.equal((await off.call('POST', '/v1/sessions', { subject: 'x' })).status, 201);
      assert.ok(!existsSync(join(off.dataDir, 'audit.jsonl')));
    } finally {
      await off.close();
    }
    assert.throws(() => loadConfig({ TESSERA_AUDIT_KEY: 'short' }), ConfigError);
    const blocker = dir.file('blocker');
    await writeFile(blocker, 'x');
    await assert.rejects(
      startService({ TESSERA_AUDIT_FILE: join(blocker, 'audit.jsonl') }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, 'TESSERA_AUDIT_FILE');
        return true;
      },
    );
  });
});
