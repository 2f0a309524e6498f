import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { lineHash } from '../../src/audit/chain.js';
import { createFileAuditTrail } from '../../src/audit/file-trail.js';
import { verifyAuditTrail } from '../../src/audit/verify.js';
import { type Dir, lines, records, tempDir, world } from './support.js';

/** Writes a trail of `count` sessions' created and revoked events through a real engine. */
async function writeTrail(path: string, count: number): Promise<void> {
  const trail = createFileAuditTrail({ path });
  const { manager } = world();
  manager.on('*', trail.listener);
  for (let i = 0; i < count; i++) {
    const issued = await manager.create({ subject: `user-${i}` });
    await manager.revoke(issued.token);
  }
  await trail.close();
}

async function rewrite(path: string, change: (lines: string[]) => string[]): Promise<void> {
  await writeFile(path, `${change(await lines(path)).join('\n')}\n`);
}

describe('audit trail chain', () => {
  let dir: Dir;
  let n = 0;
  const fresh = async (count = 3): Promise<string> => {
    const path = dir.file(`trail-${++n}.jsonl`);
    await writeTrail(path, count);
    return path;
  };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.remove());

  it('links each line to the SHA-256 of the one before, from 64 zeros', async () => {
    const path = await fresh();
    const text = await lines(path);
    assert.equal(text.length, 6);
    const parsed = text.map((line) => JSON.parse(line) as { prev: string; seq: number });
    assert.equal(parsed[0]?.prev, '0'.repeat(64));
    for (let i = 1; i < text.length; i++) assert.equal(parsed[i]?.prev, lineHash(text[i - 1] as string));
    const verdict = await verifyAuditTrail(path);
    assert.deepEqual(verdict, {
      ok: true,
      records: 6,
      head: lineHash(text[5] as string),
      lastSeq: 6,
      recovered: [],
    });
  });

  it('an empty trail verifies', async () => {
    const path = dir.file('empty.jsonl');
    await writeFile(path, '');
    assert.deepEqual(await verifyAuditTrail(path), {
      ok: true,
      records: 0,
      head: '0'.repeat(64),
      lastSeq: 0,
      recovered: [],
    });
  });

  it('detects an edited line at the line after it', async () => {
    const path = await fresh();
    await rewrite(path, (all) => all.map((line, i) => (i === 2 ? line.replace('user-1', 'user-9') : line)));
    const verdict = await verifyAuditTrail(path);
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok);
    assert.equal(verdict.line, 4);
    assert.equal(verdict.reason, 'prev_mismatch');
    assert.equal(verdict.records, 3);
  });

  it('detects a deleted line, a deleted first line and a deleted middle run', async () => {
    const middle = await fresh();
    await rewrite(middle, (all) => all.filter((_, i) => i !== 3));
    assert.deepEqual(pick(await verifyAuditTrail(middle)), { line: 4, reason: 'prev_mismatch' });

    const first = await fresh();
    await rewrite(first, (all) => all.slice(1));
    assert.deepEqual(pick(await verifyAuditTrail(first)), { line: 1, reason: 'prev_mismatch' });
  });

  it('detects reordered lines', async () => {
    const path = await fresh();
    await rewrite(path, (all) => [all[0], all[2], all[1], ...all.slice(3)] as string[]);
    assert.deepEqual(pick(await verifyAuditTrail(path)), { line: 2, reason: 'prev_mismatch' });
  });

  it('detects an inserted line and a re-chained edit whose seq no longer follows', async () => {
    const inserted = await fresh();
    await rewrite(inserted, (all) => [...all.slice(0, 2), all[1] as string, ...all.slice(2)]);
    assert.deepEqual(pick(await verifyAuditTrail(inserted)), { line: 3, reason: 'prev_mismatch' });

    // Someone drops line 2 and fixes line 3's prev: the seq gap still shows.
    const rechained = await fresh();
    await rewrite(rechained, (all) => {
      const third = JSON.parse(all[2] as string) as Record<string, unknown>;
      third.prev = lineHash(all[0] as string);
      return [all[0] as string, JSON.stringify(third)];
    });
    assert.deepEqual(pick(await verifyAuditTrail(rechained)), { line: 2, reason: 'seq_mismatch' });
  });

  it('detects junk, a non-record and a torn last line', async () => {
    const junk = await fresh();
    await rewrite(junk, (all) => all.map((line, i) => (i === 1 ? 'not json' : line)));
    assert.deepEqual(pick(await verifyAuditTrail(junk)), { line: 2, reason: 'invalid_json' });

    const other = await fresh();
    await rewrite(other, (all) => all.map((line, i) => (i === 1 ? '{"hello":"world"}' : line)));
    assert.deepEqual(pick(await verifyAuditTrail(other)), { line: 2, reason: 'invalid_record' });

    const torn = await fresh();
    await appendFile(torn, '{"v":1,"seq":7,"ty');
    assert.deepEqual(pick(await verifyAuditTrail(torn)), { line: 7, reason: 'torn_line' });
  });

  it('a restart appends and continues the chain', async () => {
    const path = dir.file('restart.jsonl');
    await writeTrail(path, 2);
    await writeTrail(path, 3);
    const written = await records(path);
    assert.equal(written.length, 10);
    assert.deepEqual(
      written.map((record) => record.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    const verdict = await verifyAuditTrail(path);
    assert.ok(verdict.ok);
    assert.equal(verdict.records, 10);
  });

  it('after a torn write (crash mid-line) a restart records the recovery and the chain verifies', async () => {
    const path = dir.file('torn.jsonl');
    await writeTrail(path, 1);
    const fragment = '{"v":1,"seq":3,"time":"2026-01-01T09:00:00.000Z","type":"cre';
    await appendFile(path, fragment);
    assert.deepEqual(pick(await verifyAuditTrail(path)), { line: 3, reason: 'torn_line' });
    await writeTrail(path, 1);
    const text = await lines(path);
    assert.equal(text[2], fragment);
    const recovered = JSON.parse(text[3] as string) as Record<string, unknown>;
    assert.equal(recovered.type, 'audit-recovered');
    assert.deepEqual(recovered.detail, { tornBytes: Buffer.byteLength(fragment) });
    assert.equal(recovered.seq, 3);
    assert.equal(recovered.prev, lineHash(text[1] as string));
    const verdict = await verifyAuditTrail(path);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.deepEqual(verdict.recovered, [3]);
    assert.equal(verdict.records, 5); // 2 + audit-recovered + 2

    // A fragment standing in for a real line is not excused: the next line's prev does not match.
    const edited = await readFile(path, 'utf8');
    await writeFile(path, edited.replace(text[1] as string, '{"cut'));
    assert.equal((await verifyAuditTrail(path)).ok, false);
  });
});

function pick(verdict: Awaited<ReturnType<typeof verifyAuditTrail>>): { line: number; reason: string } {
  assert.ok(!verdict.ok, 'the verifier noticed');
  return { line: verdict.line, reason: verdict.reason };
}
