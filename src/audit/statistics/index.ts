// Pure-number statistics of privacy auditing: exact binomial intervals, the confusion-count epsilon
// bound (Jagielski et al. 2020; Nasr et al. 2021) and the one-run audit (Steinke, Nasr & Jagielski 2023).
export { clopperPearson, type ClopperPearsonOptions, type ProportionInterval } from './clopperPearson.js';
export { epsilonLowerBound, type MembershipCounts, type EpsilonLowerBoundOptions, type EpsilonBound } from './epsilonLowerBound.js';
export {
  epsilonLowerBoundFromScores, type EpsilonLowerBoundFromScoresOptions, type ScoresEpsilonBound,
} from './epsilonLowerBoundFromScores.js';
export { oneRunPValue, type OneRunOutcome, type OneRunPValueOptions } from './oneRunPValue.js';
export { oneRunEpsilonLowerBound, type OneRunEpsilonLowerBoundOptions } from './oneRunEpsilonLowerBound.js';
export { oneRunAudit, type OneRunAuditOptions, type OneRunAuditResult } from './oneRunAudit.js';
