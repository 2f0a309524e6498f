import {
  type Attributes,
  ProxyTracerProvider,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { isTesseraError } from './errors.js';

/** The instrumentation scope of every Tessera span (the package name and version). */
export const TRACER_NAME = '@tessera-sessions/tessera';
/** Kept equal to package.json's version by test/core/tracing.test.ts. */
export const TRACER_VERSION = '0.1.0';

/**
 * The tracer of the registered OpenTelemetry SDK, or null when the app registered none. The API's global
 * provider is a proxy until an SDK sets its delegate; without one we start no span at all (not even a
 * no-op one), so the validate hot path pays one lookup. A provider from another copy of the API is used as is.
 */
export function activeTracer(): Tracer | null {
  const provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) {
    return provider.getDelegateTracer(TRACER_NAME, TRACER_VERSION) ?? null;
  }
  return provider.getTracer(TRACER_NAME, TRACER_VERSION);
}

/**
 * Runs `run` inside a span named `name` when an SDK is registered. Attributes are bounded codes only: the store
 * kind and the outcome (`outcomeOf(result)`), never a token, secret, subject or session id. A thrown error
 * ends the span with status ERROR and its code as the outcome; the error's message is not recorded (it may
 * quote caller input).
 */
export function traced<T>(
  name: string,
  storeKind: string,
  run: () => Promise<T>,
  outcomeOf: (result: T) => Attributes,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === null) return run();
  return tracer.startActiveSpan(name, { attributes: { 'tessera.store.kind': storeKind } }, async (span) => {
    try {
      const result = await run();
      span.setAttributes(outcomeOf(result));
      return result;
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed: status ERROR, the Tessera error code (or the error's class name) as the outcome. */
export function failSpan(span: Span, error: unknown): void {
  const code = isTesseraError(error) ? error.code : error instanceof Error ? error.name : 'error';
  span.setAttributes({ 'tessera.outcome': code, 'error.type': code });
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Span attributes of a validation-shaped result: `ok`, or the refusal code with its reason or limit. */
export function resultOutcome(result: {
  readonly ok: boolean;
  readonly code?: string;
  readonly reason?: string;
  readonly limit?: string;
  readonly renewed?: boolean;
}): Attributes {
  if (result.ok) {
    return result.renewed === undefined
      ? { 'tessera.outcome': 'ok' }
      : { 'tessera.outcome': 'ok', 'tessera.renewed': result.renewed };
  }
  const attributes: Attributes = { 'tessera.outcome': result.code ?? 'refused' };
  if (result.reason !== undefined) attributes['tessera.reason'] = result.reason;
  if (result.limit !== undefined) attributes['tessera.reason'] = result.limit;
  return attributes;
}
