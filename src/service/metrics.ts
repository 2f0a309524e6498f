import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TesseraEvent } from '../core/events.js';

/**
 * Latency buckets in seconds, from 25 µs (a memory-store validate) to 1 s (a store timing out): most of
 * Tessera's work is sub-millisecond, which the default prom-client buckets (5 ms and up) cannot tell apart.
 */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
]);

/**
 * The service's metrics on its own `prom-client` registry (never the global one: two services in one
 * process keep apart). Labels are bounded sets only: route patterns (never a raw path, so no subject or id
 * becomes a label), methods, statuses, event types, store kinds and store operations.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #durations: Histogram<'method' | 'route' | 'status_class'>;
  readonly #storeCalls: Histogram<'store' | 'operation' | 'outcome'>;
  readonly #refusals: Counter<'route' | 'code'>;
  readonly #events: Counter<'type'>;
  readonly #storeErrors: Counter;
  readonly #internalErrors: Counter;

  constructor() {
    const registers = [this.registry];
    const buckets = [...LATENCY_BUCKETS];
    this.#requests = new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#durations = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time spent answering requests, by method, route and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets,
      registers,
    });
    this.#storeCalls = new Histogram({
      name: 'tessera_store_call_duration_seconds',
      help: 'Time spent in store calls, by store kind, operation and outcome (ok or error).',
      labelNames: ['store', 'operation', 'outcome'],
      buckets,
      registers,
    });
    this.#refusals = new Counter({
      name: 'tessera_http_refusals_total',
      help: 'Refused requests (4xx and 5xx) by route and stable error code.',
      labelNames: ['route', 'code'],
      registers,
    });
    this.#events = new Counter({
      name: 'tessera_events_total',
      help: 'Session lifecycle and security events by type.',
      labelNames: ['type'],
      registers,
    });
    this.#storeErrors = new Counter({
      name: 'tessera_store_errors_total',
      help: 'Requests refused because the store failed.',
      registers,
    });
    this.#internalErrors = new Counter({
      name: 'tessera_internal_errors_total',
      help: 'Requests that failed with an internal error.',
      registers,
    });
    const startedAt = Date.now();
    new Gauge({
      name: 'tessera_uptime_seconds',
      help: 'Seconds since the service started.',
      registers,
      collect() {
        this.set(Math.floor((Date.now() - startedAt) / 1000));
      },
    });
  }

  /** The content type of `render()`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one finished request. `route` is the matched pattern, or `unmatched`. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.inc({ method, route, status: String(status) });
    this.#durations.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  /** Counts one refusal by its stable code (`token_invalid`, `csrf_rejected`, `store_unavailable`, …). */
  refusal(route: string, code: string): void {
    this.#refusals.inc({ route, code });
  }

  /** Times one store call (`outcome`: `ok`, or `error` when it threw). */
  storeCall(store: string, operation: string, outcome: 'ok' | 'error', seconds: number): void {
    this.#storeCalls.observe({ store, operation, outcome }, seconds);
  }

  /** Listener for `manager.on('*', …)`. */
  readonly event = (event: TesseraEvent): void => {
    this.#events.inc({ type: event.type });
  };

  storeError(): void {
    this.#storeErrors.inc();
  }

  internalError(): void {
    this.#internalErrors.inc();
  }

  /** The page for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
