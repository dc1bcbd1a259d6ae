// The audit report: ROC curves and audited runs as SVG and HTML.
export { auditReport, type AuditReport, type AuditReportOptions, type AuditReportRun } from './auditReport.js';
