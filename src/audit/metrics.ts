import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditTrailStats } from './file-trail.js';

/** The trail's counters in the Prometheus text format, to append to a `/metrics` page. */
export function renderAuditMetrics(stats: AuditTrailStats): string {
  return [
    '# HELP tessera_audit_records_written_total Audit records written to the trail file.',
    '# TYPE tessera_audit_records_written_total counter',
    `tessera_audit_records_written_total ${stats.written}`,
    '# HELP tessera_audit_records_dropped_total Audit records lost: queue full (slow disk) or write failed.',
    '# TYPE tessera_audit_records_dropped_total counter',
    `tessera_audit_records_dropped_total{reason="queue_full"} ${stats.dropped}`,
    `tessera_audit_records_dropped_total{reason="write_failed"} ${stats.failed}`,
    '# HELP tessera_audit_write_errors_total Failed opens and writes of the audit trail file.',
    '# TYPE tessera_audit_write_errors_total counter',
    `tessera_audit_write_errors_total ${stats.writeErrors}`,
    '# HELP tessera_audit_queue_length Audit records waiting for the disk.',
    '# TYPE tessera_audit_queue_length gauge',
    `tessera_audit_queue_length ${stats.queued}`,
    '',
  ].join('\n');
}

/**
 * The same series as `renderAuditMetrics`, registered on a `prom-client` registry: each scrape reads
 * `stats()` (for a file trail: `() => trail.stats()`). Use it when your `/metrics` page is prom-client's.
 * @example registerAuditMetrics(registry, () => trail.stats());
 */
export function registerAuditMetrics(registry: Registry, stats: () => AuditTrailStats): void {
  const registers = [registry];
  new Counter({
    name: 'tessera_audit_records_written_total',
    help: 'Audit records written to the trail file.',
    registers,
    collect() {
      this.reset();
      this.inc(stats().written);
    },
  });
  new Counter({
    name: 'tessera_audit_records_dropped_total',
    help: 'Audit records lost: queue full (slow disk) or write failed.',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      const now = stats();
      this.reset();
      this.inc({ reason: 'queue_full' }, now.dropped);
      this.inc({ reason: 'write_failed' }, now.failed);
    },
  });
  new Counter({
    name: 'tessera_audit_write_errors_total',
    help: 'Failed opens and writes of the audit trail file.',
    registers,
    collect() {
      this.reset();
      this.inc(stats().writeErrors);
    },
  });
  new Gauge({
    name: 'tessera_audit_queue_length',
    help: 'Audit records waiting for the disk.',
    registers,
    collect() {
      this.set(stats().queued);
    },
  });
}
