export { autoAttack } from './autoAttack.js';
export { robustnessReport, type LabelledAutoAttackResult, type RobustnessReportOptions } from './report.js';
export type {
  AutoAttackLogEntry, AutoAttackName, AutoAttackOptions, AutoAttackResult, AutoAttackStep, AutoAttackVersion,
} from './types.js';
