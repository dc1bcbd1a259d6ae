// ROC analysis of membership-inference attacks: curves, AUC, TPR at low FPR, plots.
export type { RocCurve } from './types.js';
export { rocCurve } from './rocCurve.js';
export { rocCurveAuc } from './rocCurveAuc.js';
export { tprAtFpr } from './tprAtFpr.js';
export {
  evaluateMembershipAttack, type EvaluateMembershipAttackOptions, type MembershipAttackEvaluation,
} from './evaluateMembershipAttack.js';
export { rocSvg, type RocSvgAttack, type RocSvgOptions } from './rocSvg.js';
