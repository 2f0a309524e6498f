/**
 * A short run of the fuzz campaign (fuzz/, `npm run fuzz` for the full one): 1,500 seeded requests of every
 * input class against the real service, in its own process, on the memory store and on SQLite. Any 5xx, reset,
 * hang, crash, accepted mutated credential, answer without the API key or error log line fails the test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, runCampaign } from '../../fuzz/campaign.js';
import type { WireReply, WireRequest } from '../../fuzz/wire.js';
import { INPUT_CLASSES } from '../../fuzz/classes.js';
import { table } from '../../fuzz/report.js';

const SEED = Number(process.env.TESSERA_FUZZ_SEED ?? 7);

describe('fuzz campaign (short run)', () => {
  it('the judge flags every kind of finding (so a clean run means something)', () => {
    const request: WireRequest = {
      transport: 'http',
      method: 'POST',
      target: '/v1/sessions/validate',
      headers: [],
      keyValid: true,
    };
    const reply = (status: number, more: Partial<WireReply> = {}): WireReply => ({
      status,
      body: '',
      ms: 3,
      error: null,
      ...more,
    });
    const kinds = (req: WireRequest, rep: WireReply): string[] => judge(req, rep).map(([kind]) => kind);
    assert.deepEqual(kinds(request, reply(401)), []);
    assert.deepEqual(kinds(request, reply(500)), ['status']);
    assert.deepEqual(kinds(request, reply(503)), ['status']);
    assert.deepEqual(kinds(request, reply(0, { error: 'ECONNRESET' })), ['reset']);
    assert.deepEqual(kinds(request, reply(0, { error: 'timeout' })), ['hang']);
    assert.deepEqual(kinds(request, reply(200, { ms: 6000 })), ['hang']);
    assert.deepEqual(kinds({ ...request, mustRefuse: 'a mutated token' }, reply(200)), ['accepted']);
    assert.deepEqual(kinds({ ...request, keyValid: false }, reply(200)), ['auth-bypass']);
    assert.deepEqual(kinds({ ...request, keyValid: false, target: '/healthz?x' }, reply(200)), []);
  });

  for (const store of ['memory', 'sqlite'] as const) {
    it(`${store}: 1,500 generated and mutated requests, zero findings`, async () => {
      const result = await runCampaign({ store, requests: 1500, seed: SEED, concurrency: 6 });
      assert.ok(result.sent >= 1500, `sent ${result.sent}`);
      for (const cls of INPUT_CLASSES) {
        const stats = result.classes.find((entry) => entry.name === cls.name);
        assert.ok(stats !== undefined && stats.sent > 0, `class ${cls.name} sent nothing`);
      }
      assert.deepEqual(
        result.findings.map((finding) => `${finding.inputClass} ${finding.kind}: ${finding.detail}`),
        [],
        `seed ${SEED}\n${table([result])}`,
      );
    });
  }
});
