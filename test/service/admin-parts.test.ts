import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/core/store.js';
import { isBrowsable } from '../../src/service/console/search.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { RateSampler } from '../../src/service/console/rates.js';
import { readTrailBackwards } from '../../src/service/console/trail-reader.js';
import { parseUserAgent } from '../../src/service/console/user-agent.js';

describe('console: which stores browse across subjects', () => {
  it('memory, SQLite and PostgreSQL do; Redis says it does not (no cross-subject order without a SCAN)', () => {
    const shape = (cls: { prototype: object }): SessionStore => cls.prototype as SessionStore;
    assert.equal(isBrowsable(shape(MemoryStore)), true);
    assert.equal(isBrowsable(shape(SqliteStore)), true);
    assert.equal(isBrowsable(shape(PostgresStore)), true);
    assert.equal(isBrowsable(shape(RedisStore)), false);
  });
});

describe('console: user agents as families and major versions', () => {
  const cases: readonly (readonly [string | null, string, string])[] = [
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      'Chrome 126 on Windows 10/11',
      'desktop',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68',
      'Edge 126 on Windows 10/11',
      'desktop',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Safari 17 on macOS',
      'desktop',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS 17',
      'mobile',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      'Chrome 126 on Android 14',
      'mobile',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      'Firefox 128 on Linux',
      'desktop',
    ],
    ['curl/8.5.0', 'curl 8', 'tool'],
    ['python-requests/2.31.0', 'Python requests 2', 'tool'],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Googlebot (crawler)',
      'bot',
    ],
    [null, 'No user agent', 'unknown'],
    ['', 'No user agent', 'unknown'],
    ['<img src=x onerror=alert(1)>', 'Unknown client', 'unknown'],
  ];
  for (const [header, label, device] of cases) {
    it(`${header === null ? 'null' : JSON.stringify(header.slice(0, 40))} → ${label}`, () => {
      const parsed = parseUserAgent(header);
      assert.equal(parsed.label, label);
      assert.equal(parsed.device, device);
    });
  }

  it('reads at most 512 characters of a huge header, quickly', () => {
    const started = performance.now();
    const parsed = parseUserAgent(`${'a '.repeat(100_000)}Firefox/128.0`);
    assert.equal(parsed.label, 'Unknown client', 'what is past the first 512 characters is not read');
    assert.ok(performance.now() - started < 100);
  });
});

describe('console: per-minute rates from counter readings', () => {
  const totals = (logins: number) =>
    ({ logins, refusals: 0, securityEvents: 0, revocations: 0, requests: logins }) as const;

  it('null until a second reading; then the difference scaled to a minute', () => {
    const clock = manualClock(1_000_000);
    const sampler = new RateSampler(clock);
    assert.equal(sampler.rates(totals(0)).logins, null);
    clock.advance(30_000);
    const half = sampler.rates(totals(10));
    assert.equal(half.windowSeconds, 30);
    assert.equal(half.logins, 20, '10 in 30 s is 20 a minute');
    clock.advance(60_000);
    const later = sampler.rates(totals(16));
    assert.equal(later.windowSeconds, 60, 'against the newest reading at least a minute old');
    assert.equal(later.logins, 6);
  });

  it('a clock that moved back starts over instead of giving negative rates', () => {
    const clock = manualClock(1_000_000);
    const sampler = new RateSampler(clock);
    sampler.rates(totals(5));
    clock.set(900_000);
    assert.equal(sampler.rates(totals(6)).logins, null);
  });

  it('readings closer than 5 s apart are not kept, so many consoles cannot grow the list', () => {
    const clock = manualClock(1_000_000);
    const sampler = new RateSampler(clock);
    sampler.rates(totals(0));
    for (let i = 0; i < 1000; i++) {
      clock.advance(10);
      sampler.rates(totals(i));
    }
    clock.advance(50_000);
    const rates = sampler.rates(totals(1000));
    assert.equal(rates.windowSeconds, 60, 'still measured from the first kept reading');
  });
});

describe('console: the audit trail read backwards', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-trail-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const line = (seq: number, pad = 0): string =>
    `${JSON.stringify({ v: 1, seq, type: 'created', time: '2026-01-01T00:00:00.000Z', pad: 'x'.repeat(pad) })}\n`;

  async function seqsOf(path: string, budget = 1 << 30, stopAfter = Infinity): Promise<number[]> {
    const seen: number[] = [];
    await readTrailBackwards(path, budget, (record) => {
      seen.push(record.seq);
      return seen.length < stopAfter;
    });
    return seen;
  }

  it('visits records newest first across chunk boundaries, skipping a torn last line and foreign lines', async () => {
    const path = join(dir, 'trail.jsonl');
    let text = '';
    // Lines of varied length, so some straddle the 64 KiB chunks.
    for (let seq = 1; seq <= 400; seq++) text += line(seq, (seq * 997) % 1500);
    text += 'not json\n{"v":2,"seq":401}\n';
    text += line(402).slice(0, 20); // a write in progress
    await writeFile(path, text);
    const seqs = await seqsOf(path);
    assert.deepEqual(
      seqs,
      Array.from({ length: 400 }, (_, i) => 400 - i),
    );
    assert.deepEqual(await seqsOf(path, 1 << 30, 3), [400, 399, 398], 'stops when the visitor says so');
    const result = await readTrailBackwards(path, 64 * 1024, () => true);
    assert.equal(result.stopped, 'budget');
    assert.equal(result.highestSeq, 400);
    assert.ok((result.lowestSeq as number) > 1, 'older lines are past the budget');
  });

  it('a missing file has no records; an empty one neither', async () => {
    assert.deepEqual(await seqsOf(join(dir, 'missing.jsonl')), []);
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    assert.deepEqual(await seqsOf(empty), []);
  });
});
