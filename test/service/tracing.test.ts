// The service's spans (issue 11): the same engine spans as a library user gets, for requests over HTTP, with no
// token, subject, session id or API key in anything exported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startService, TEST_API_KEY, type TestService } from './helpers.js';

describe('service spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let api: TestService;

  before(async () => {
    trace.setGlobalTracerProvider(provider);
    api = await startService();
  });
  after(async () => {
    await api.close();
    trace.disable();
    await provider.shutdown();
  });

  it('login, validate, rotate and logout over HTTP are engine and store spans, free of credentials', async () => {
    const subject = 'traced-subject@example.com';
    const created = await api.call('POST', '/v1/sessions', { subject });
    const token = created.body.token as string;
    await api.call('POST', '/v1/sessions/validate', { token });
    const rotated = await api.call('POST', '/v1/sessions/rotate', { token });
    const next = rotated.body.token as string;
    assert.equal((await api.call('POST', '/v1/sessions/revoke', { token: next })).status, 204);
    const spans = exporter.getFinishedSpans();
    const names = new Set(spans.map((span) => span.name));
    for (const name of [
      'tessera.create',
      'tessera.validate',
      'tessera.rotate',
      'tessera.revoke',
      'tessera.store.create',
      'tessera.store.get',
      'tessera.store.rotate',
      'tessera.store.delete',
    ]) {
      assert.ok(names.has(name), name);
    }
    const text = JSON.stringify(
      spans.map((span) => [span.name, span.attributes, span.status, span.events, span.resource.attributes]),
    );
    for (const value of [token, next, subject, created.body.session?.id as string, TEST_API_KEY, 'ts1.']) {
      assert.ok(!text.includes(value), `${value.slice(0, 8)}… is in no span`);
    }
  });
});
