export { formatLine, GENESIS, lineHash } from './chain.js';
export {
  type AuditTrailStats,
  createFileAuditTrail,
  type FileAuditTrail,
  type FileAuditTrailOptions,
} from './file-trail.js';
export {
  createMemoryAuditTrail,
  type MemoryAuditTrail,
  type MemoryAuditTrailOptions,
} from './memory-trail.js';
export { registerAuditMetrics, renderAuditMetrics } from './metrics.js';
export { type AuditEntry, type AuditRecord, type AuditRecordType, auditPseudonym } from './record.js';
export { type AuditBreak, type AuditVerification, type VerifyOptions, verifyAuditTrail } from './verify.js';
