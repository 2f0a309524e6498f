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
