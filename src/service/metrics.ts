import type { TesseraEvent } from '../core/events.js';

/**
 * Counters in the Prometheus text exposition format (version 0.0.4). Labels are bounded sets only: route
 * patterns (never a raw path, so no subject or id becomes a label), methods, statuses and event types.
 */
export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #durations = new Map<string, { sum: number; count: number }>();
  readonly #events = new Map<string, number>();
  #storeErrors = 0;
  #internalErrors = 0;
  readonly #startedAt = Date.now();
  readonly #sources: Array<() => string> = [];

  /** Counts one finished request. `route` is the matched pattern, or `unmatched`. */
  request(method: string, route: string, status: number, seconds: number): void {
    const key = labels({ method, route, status: String(status) });
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const durationKey = labels({ method, route });
    const entry = this.#durations.get(durationKey) ?? { sum: 0, count: 0 };
    entry.sum += seconds;
    entry.count += 1;
    this.#durations.set(durationKey, entry);
  }

  /** Listener for `manager.on('*', …)`. */
  readonly event = (event: TesseraEvent): void => {
    const key = labels({ type: event.type });
    this.#events.set(key, (this.#events.get(key) ?? 0) + 1);
  };

  /** Adds another component's counters (already in the text format) to every render: the audit trail's. */
  addSource(render: () => string): void {
    this.#sources.push(render);
  }

  storeError(): void {
    this.#storeErrors += 1;
  }

  internalError(): void {
    this.#internalErrors += 1;
  }

  render(): string {
    const lines: string[] = [];
    counter(
      lines,
      'tessera_http_requests_total',
      'HTTP requests by method, route and status.',
      this.#requests,
    );
    lines.push('# HELP tessera_http_request_duration_seconds Time spent answering requests.');
    lines.push('# TYPE tessera_http_request_duration_seconds summary');
    for (const [key, { sum, count }] of this.#durations) {
      lines.push(`tessera_http_request_duration_seconds_sum${key} ${sum}`);
      lines.push(`tessera_http_request_duration_seconds_count${key} ${count}`);
    }
    counter(lines, 'tessera_events_total', 'Session lifecycle and security events by type.', this.#events);
    single(
      lines,
      'tessera_store_errors_total',
      'Requests refused because the store failed.',
      this.#storeErrors,
    );
    single(
      lines,
      'tessera_internal_errors_total',
      'Requests that failed with an internal error.',
      this.#internalErrors,
    );
    lines.push('# HELP tessera_uptime_seconds Seconds since the service started.');
    lines.push('# TYPE tessera_uptime_seconds gauge');
    lines.push(`tessera_uptime_seconds ${Math.floor((Date.now() - this.#startedAt) / 1000)}`);
    return `${lines.join('\n')}\n${this.#sources.map((render) => render()).join('')}`;
  }
}

function counter(lines: string[], name: string, help: string, values: Map<string, number>): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [key, value] of values) lines.push(`${name}${key} ${value}`);
}

function single(lines: string[], name: string, help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
}

function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return `{${parts.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
