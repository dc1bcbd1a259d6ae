// The one-run audit of a private training run.
export { auditDpSgd, type AuditDpSgdOptions, type AuditTrainer, type AuditTrainerResult, type DpSgdAuditResult } from './auditDpSgd.js';
export { auditPrivatizer, type AuditPrivatizerOptions, type GradientPrivatizer, type PrivatizerAuditResult } from './auditPrivatizer.js';
export type { OneRunAuditSummary } from './summary.js';
