// OpenTelemetry spans through @opentelemetry/api (issue 11): nothing without an SDK, and with one a span for each
// engine operation and store call, carrying codes only, never a token, subject or session id.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTessera } from '../../src/core/manager.js';
import { activeTracer, TRACER_NAME, TRACER_VERSION } from '../../src/core/tracing.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** Everything an exporter would send for these spans, as one string to search. */
function exported(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((span) => ({
      name: span.name,
      kind: span.kind,
      attributes: span.attributes,
      status: span.status,
      events: span.events,
      links: span.links,
      scope: span.instrumentationScope,
      resource: span.resource.attributes,
    })),
  );
}

describe('tracing without an SDK', () => {
  it('starts no span at all: no tracer until the app registers a provider', async () => {
    assert.equal(activeTracer(), null);
    const manager = createTessera({ store: new MemoryStore() });
    const { token } = await manager.create({ subject: 'nobody-traces' });
    assert.equal((await manager.validate(token)).ok, true);
  });
});

describe('tracing with an SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const named = (name: string): ReadableSpan[] => spans().filter((span) => span.name === name);

  before(() => assert.ok(trace.setGlobalTracerProvider(provider), 'the provider is registered'));
  beforeEach(() => exporter.reset());
  after(async () => {
    trace.disable();
    await provider.shutdown();
  });

  it('the tracer is named after the package, at its version', async () => {
    assert.equal(TRACER_NAME, pkg.name);
    assert.equal(TRACER_VERSION, pkg.version);
    await createTessera({ store: new MemoryStore() }).validate('not-a-token');
    assert.deepEqual(named('tessera.validate')[0]?.instrumentationScope, {
      name: pkg.name,
      version: pkg.version,
      schemaUrl: undefined,
    });
  });

  it('create, validate, rotate, elevate and revoke are spans with the store kind and the outcome', async () => {
    const manager = createTessera({ store: new MemoryStore() });
    const issued = await manager.create({ subject: 'span-subject-alice' });
    assert.equal((await manager.validate(issued.token)).ok, true);
    const rotated = await manager.rotate(issued.token);
    assert.ok(rotated.ok);
    const elevated = await manager.elevate(rotated.token, 2);
    assert.ok(elevated.ok);
    assert.equal(await manager.revoke(elevated.token), true);
    assert.equal(await manager.revoke(elevated.token), false);
    for (const name of ['tessera.create', 'tessera.rotate', 'tessera.elevate']) {
      const [span] = named(name);
      assert.ok(span, name);
      assert.equal(span.attributes['tessera.store.kind'], 'memory');
      assert.equal(span.attributes['tessera.outcome'], 'ok');
      assert.equal(span.status.code, SpanStatusCode.UNSET);
    }
    // rotate and elevate check the token first: their own validate spans.
    const validates = named('tessera.validate');
    assert.equal(validates.length, 3);
    assert.deepEqual(validates[0]?.attributes, {
      'tessera.store.kind': 'memory',
      'tessera.outcome': 'ok',
      'tessera.renewed': false,
    });
    assert.deepEqual(
      named('tessera.revoke').map((span) => span.attributes['tessera.outcome']),
      ['revoked', 'not_found'],
    );
  });

  it('every store call is a tessera.store.<operation> client span with the kind and the operation', async () => {
    const manager = createTessera({ store: new MemoryStore() });
    const { token } = await manager.create({ subject: 'span-subject-bob' });
    await manager.validate(token);
    await manager.revoke(token);
    assert.deepEqual(
      spans()
        .filter((span) => span.name.startsWith('tessera.store.'))
        .map((span) => [
          span.name,
          span.attributes['tessera.store.operation'],
          span.attributes['tessera.outcome'],
        ]),
      [
        ['tessera.store.create', 'create', 'ok'],
        ['tessera.store.get', 'get', 'ok'],
        ['tessera.store.get', 'get', 'ok'],
        ['tessera.store.delete', 'delete', 'ok'],
      ],
    );
    const [get] = named('tessera.store.get');
    assert.equal(get?.attributes['tessera.store.kind'], 'memory');
    assert.equal(get?.kind, 2, 'SpanKind.CLIENT');
  });

  it('a store fault ends the store span and the operation span with status ERROR and store_unavailable', async () => {
    const store = new MemoryStore();
    const manager = createTessera({ store });
    const { token } = await manager.create({ subject: 'span-subject-carol' });
    store.get = async () => {
      throw new Error('connection reset by span-subject-carol');
    };
    exporter.reset();
    await assert.rejects(manager.validate(token), { code: 'store_unavailable' });
    for (const name of ['tessera.store.get', 'tessera.validate']) {
      const [span] = named(name);
      assert.ok(span, name);
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.status.message, 'store_unavailable');
      assert.equal(span.attributes['tessera.outcome'], 'store_unavailable');
      assert.equal(span.attributes['error.type'], 'store_unavailable');
    }
    assert.ok(!exported(spans()).includes('connection reset'), "the cause's text is not recorded");
  });

  it('a refused token is an outcome, not an error: malformed tokens never reach the store', async () => {
    const manager = createTessera({ store: new MemoryStore() });
    await manager.validate('ts1.garbage');
    await manager.validate(undefined);
    assert.deepEqual(
      spans().map((span) => [
        span.name,
        span.attributes['tessera.outcome'],
        span.attributes['tessera.reason'],
      ]),
      [
        ['tessera.validate', 'token_invalid', 'malformed'],
        ['tessera.validate', 'token_missing', undefined],
      ],
    );
    assert.ok(spans().every((span) => span.status.code === SpanStatusCode.UNSET));
  });

  it('no exported span holds a token, a secret, the subject or the session id', async () => {
    const manager = createTessera({ store: new MemoryStore(), idleTimeout: 60 });
    const subject = 'span-subject-dave@example.com';
    const issued = await manager.create({ subject, data: { role: 'admin' } });
    const seen = [issued.token, issued.session.id, subject];
    await manager.validate(issued.token);
    const rotated = await manager.rotate(issued.token);
    assert.ok(rotated.ok);
    seen.push(rotated.token);
    await manager.validate(issued.token); // the old token: refused
    const elevated = await manager.elevate(rotated.token, 3);
    assert.ok(elevated.ok);
    seen.push(elevated.token);
    await manager.revoke(elevated.token);
    const text = exported(spans());
    assert.ok(spans().length >= 10, 'spans were exported');
    for (const value of seen) assert.ok(!text.includes(value), `no ${value.slice(0, 8)}… in the spans`);
    for (const value of [...seen.map((token) => token.split('.')[2] ?? ''), 'ts1.', 'admin']) {
      if (value !== '') assert.ok(!text.includes(value), 'no secret part, token prefix or session data');
    }
  });
});
