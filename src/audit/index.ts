/**
 * Privacy auditing: how much a trained model actually leaks about its training data, and
 * whether a private training run's epsilon survives an attack. Membership-inference attacks score
 * every example ({@link membershipScores}: loss, confidence, LiRA's logit-scaled confidence;
 * {@link gradientNormScores}; {@link liraScores} with {@link trainShadowModels}, offline and
 * online); {@link evaluateMembershipAttack} gives their ROC, AUC and TPR at low FPR and
 * {@link rocSvg} draws it on log-log axes. Empirical lower bounds on epsilon come from an
 * attack's decisions ({@link epsilonLowerBound}, {@link epsilonLowerBoundFromScores}, built on
 * {@link clopperPearson}) or from one training run with canaries ({@link oneRunAudit},
 * {@link oneRunEpsilonLowerBound}); {@link auditDpSgd} runs the whole one-run audit of a
 * private trainer, with canaries from {@link mislabelledCanaries} or
 * {@link outOfDistributionCanaries}. {@link auditReport} puts it on one page. Guide:
 * [privacy auditing](../../docs/audit.md).
 * @module responsible-tfjs/audit
 */
export * from './statistics/index.js';
export * from './roc/index.js';
export * from './membership/index.js';
export * from './canaries/index.js';
export * from './dpSgd/index.js';
export * from './report/index.js';
