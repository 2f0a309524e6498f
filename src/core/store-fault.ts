import { SpanKind } from '@opentelemetry/api';
import { isTesseraError, StoreUnavailableError } from './errors.js';
import { activeTracer, failSpan } from './tracing.js';

/**
 * Runs one store call and turns any fault that is not already a Tessera error into `StoreUnavailableError`
 * (503 with `Retry-After`: fail closed). The one wrapper every engine uses: manager, sealed sessions, refresh
 * and access tokens. With an OpenTelemetry SDK registered, each call is a `tessera.store.<operation>` span
 * (store kind and operation as attributes; status ERROR on a fault).
 */
export function callStore<T>(kind: string, operation: string, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (tracer === null) return guarded(kind, operation, run);
  const attributes = { 'tessera.store.kind': kind, 'tessera.store.operation': operation };
  // Span names stay single tokens: the stateless engines name some operations with spaces.
  const name = `tessera.store.${operation.replace(/ /g, '-')}`;
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await guarded(kind, operation, run);
      span.setAttribute('tessera.outcome', 'ok');
      return result;
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * `run()` with its faults turned into StoreUnavailableError. Not an `async` function: on the hot path (every
 * validation) it adds one `then` to the store's promise instead of an async frame of its own.
 */
function guarded<T>(kind: string, operation: string, run: () => Promise<T>): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = run();
  } catch (error) {
    return Promise.reject(asStoreFault(kind, operation, error));
  }
  return pending.then(undefined, (error: unknown) => {
    throw asStoreFault(kind, operation, error);
  });
}

function asStoreFault(kind: string, operation: string, error: unknown): unknown {
  if (isTesseraError(error)) return error;
  return new StoreUnavailableError(`${kind} store failed during ${operation}`, { cause: error });
}
