// GET /metrics from prom-client (issue 11): latency histograms with sub-millisecond buckets for requests and store
// calls, the counters dashboards already use, one registry per service, and no credential or person in a label.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { LATENCY_BUCKETS } from '../../src/service/metrics.js';
import { startService, TEST_API_KEY, type TestService } from './helpers.js';
import { type Exposition, parseExposition, select } from './prom-text.js';

const SUBJECT = 'metrics-prom-subject@example.com';

async function scrape(api: TestService): Promise<{ text: string; exposition: Exposition; type: string }> {
  const response = await api.call('GET', '/metrics');
  assert.equal(response.status, 200);
  return {
    text: response.text,
    exposition: parseExposition(response.text),
    type: response.headers.get('content-type') ?? '',
  };
}

describe('GET /metrics from prom-client', () => {
  let api: TestService;
  const secrets: string[] = [];

  before(async () => {
    api = await startService();
    const created = await api.call('POST', '/v1/sessions', { subject: SUBJECT });
    const token = created.body.token as string;
    secrets.push(token, created.body.session?.id as string);
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token })).status, 200);
    }
    const rotated = await api.call('POST', '/v1/sessions/rotate', { token });
    secrets.push(rotated.body.token as string);
    // The old token: refused as token_invalid.
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token })).status, 401);
  });
  after(() => api.close());

  it("is prom-client's text format: its content type, a TYPE for every family, every line parses", async () => {
    const { type, exposition } = await scrape(api);
    assert.equal(type, new Registry().contentType);
    assert.match(type, /^text\/plain; version=0\.0\.4/);
    assert.equal(exposition.types.get('tessera_http_request_duration_seconds'), 'histogram');
    assert.equal(exposition.types.get('tessera_store_call_duration_seconds'), 'histogram');
    assert.equal(exposition.types.get('tessera_http_requests_total'), 'counter');
  });

  it('request latency is a histogram by method, route and status class, buckets from 25 µs to 1 s', async () => {
    const { exposition } = await scrape(api);
    const labels = { method: 'POST', route: '/v1/sessions/validate', status_class: '2xx' };
    const buckets = select(exposition, 'tessera_http_request_duration_seconds_bucket', labels);
    assert.deepEqual(
      buckets.map((sample) => sample.labels.le),
      [...LATENCY_BUCKETS.map(String), '+Inf'],
    );
    assert.equal(LATENCY_BUCKETS[0], 0.000025);
    assert.equal(LATENCY_BUCKETS.at(-1), 1);
    const counts = buckets.map((sample) => sample.value);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => a - b),
      'buckets are cumulative',
    );
    const [count] = select(exposition, 'tessera_http_request_duration_seconds_count', labels);
    assert.equal(count?.value, 3, 'the three successful validations');
    assert.equal(counts.at(-1), 3);
    const [sum] = select(exposition, 'tessera_http_request_duration_seconds_sum', labels);
    assert.ok((sum?.value ?? 0) > 0);
    const refused = { method: 'POST', route: '/v1/sessions/validate', status_class: '4xx' };
    assert.equal(select(exposition, 'tessera_http_request_duration_seconds_count', refused)[0]?.value, 1);
  });

  it('store calls are timed by store kind, operation and outcome', async () => {
    const { exposition } = await scrape(api);
    const count = (operation: string): number | undefined =>
      select(exposition, 'tessera_store_call_duration_seconds_count', {
        store: 'memory',
        operation,
        outcome: 'ok',
      })[0]?.value;
    assert.equal(count('create'), 1);
    assert.ok((count('get') ?? 0) >= 5, 'one read per validate and one for the rotate');
    assert.equal(count('rotate'), 1);
    const buckets = select(exposition, 'tessera_store_call_duration_seconds_bucket', { operation: 'get' });
    assert.equal(buckets[0]?.labels.le, '0.000025');
  });

  it('the counters dashboards already use are still there, with their labels', async () => {
    const { text, exposition } = await scrape(api);
    assert.match(
      text,
      /^tessera_http_requests_total\{method="POST",route="\/v1\/sessions\/validate",status="200"\} 3$/m,
    );
    assert.match(text, /^tessera_events_total\{type="created"\} 1$/m);
    assert.match(text, /^tessera_events_total\{type="rotated"\} 1$/m);
    assert.match(text, /^tessera_store_errors_total 0$/m);
    assert.match(text, /^tessera_internal_errors_total 0$/m);
    assert.match(text, /^tessera_uptime_seconds \d+$/m);
    // The audit trail is on in these tests (its file in the data folder).
    assert.match(text, /^tessera_audit_records_written_total \d+$/m);
    assert.match(text, /^tessera_audit_records_dropped_total\{reason="queue_full"\} 0$/m);
    assert.match(text, /^tessera_audit_records_dropped_total\{reason="write_failed"\} 0$/m);
    assert.match(text, /^tessera_audit_write_errors_total 0$/m);
    assert.match(text, /^tessera_audit_queue_length \d+$/m);
    assert.equal(
      select(exposition, 'tessera_http_refusals_total', {
        route: '/v1/sessions/validate',
        code: 'token_invalid',
      })[0]?.value,
      1,
    );
  });

  it('no label or value names a token, the subject, a session id or the API key', async () => {
    const { text, exposition } = await scrape(api);
    for (const value of [...secrets, SUBJECT, TEST_API_KEY, 'ts1.']) {
      assert.ok(!text.includes(value), `${value.slice(0, 8)}… is not in /metrics`);
    }
    const labelNames = new Set(exposition.samples.flatMap((sample) => Object.keys(sample.labels)));
    assert.deepEqual([...labelNames].sort(), [
      'code',
      'le',
      'method',
      'operation',
      'outcome',
      'reason',
      'route',
      'status',
      'status_class',
      'store',
      'type',
    ]);
  });
});

describe('metrics per service', () => {
  it('two services in one process count apart: one registry each, never the global one', async () => {
    const first = await startService();
    const second = await startService();
    try {
      await first.call('POST', '/v1/sessions', { subject: 'only-on-first' });
      const one = (await scrape(first)).exposition;
      const two = (await scrape(second)).exposition;
      assert.equal(select(one, 'tessera_events_total', { type: 'created' })[0]?.value, 1);
      assert.equal(select(two, 'tessera_events_total', { type: 'created' }).length, 0);
      assert.equal(
        select(two, 'tessera_store_call_duration_seconds_count', { operation: 'create' }).length,
        0,
      );
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('a failing store call is observed with outcome="error", and the request counts as a store error', async () => {
    const store = new MemoryStore();
    const api = await startService({}, { storeInstance: store });
    try {
      const created = await api.call('POST', '/v1/sessions', { subject: 'store-fault' });
      store.get = async () => {
        throw new Error('connection reset');
      };
      const refused = await api.call('POST', '/v1/sessions/validate', { token: created.body.token });
      assert.equal(refused.status, 503);
      const { exposition, text } = await scrape(api);
      const errors = select(exposition, 'tessera_store_call_duration_seconds_count', {
        store: 'memory',
        operation: 'get',
        outcome: 'error',
      });
      assert.equal(errors[0]?.value, 1);
      assert.match(text, /^tessera_store_errors_total 1$/m);
      assert.equal(
        select(exposition, 'tessera_http_refusals_total', { code: 'store_unavailable' })[0]?.value,
        1,
      );
    } finally {
      await api.close();
    }
  });
});
