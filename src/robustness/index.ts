/**
 * Adversarial robustness for any tfjs classifier (a `tf.LayersModel` or a logits function). The
 * attacks {@link fgsm} and {@link pgd} reproduce torchattacks step for step; {@link robustAccuracy}
 * and {@link robustAccuracyCurve} measure accuracy under attack over a range of perturbation sizes;
 * {@link autoAttack} is the standard robustness evaluation, chaining {@link apgd},
 * {@link apgdTargeted}, {@link fabTargeted} and the black-box {@link square}
 * ({@link robustnessReport} draws its breakdown); {@link carliniWagnerL2} and {@link deepFool}
 * find minimal perturbations, which {@link minimalPerturbation} summarises;
 * {@link fitAdversarially} trains with PGD adversarial training or TRADES
 * ({@link adversarialTrainingStep} and {@link tradesTrainingStep} for your own loop). Guide:
 * [robustness](../../docs/robustness.md).
 * @module responsible-tfjs/robustness
 */
export type { Attack, AttackCallOptions, AttackCommonOptions, AttackNorm, ModelOutput, PerExampleLoss } from './types.js';
export { softmaxCrossEntropy, probabilityCrossEntropy, PROBABILITY_FLOOR } from './softmaxCrossEntropy.js';
export { fgsm, type FgsmOptions } from './fgsm.js';
export { pgd, type PgdOptions, type PgdNorm } from './pgd.js';
export { robustAccuracy, type RobustAccuracyOptions } from './robustAccuracy.js';
export { robustAccuracyCurve, type RobustAccuracyCurve, type RobustAccuracyCurveOptions } from './robustAccuracyCurve.js';
export type { TrainingStepResult } from './training.js';
export { adversarialTrainingStep, type AdversarialTrainingStepOptions } from './adversarialTrainingStep.js';
export { tradesAttack, type TradesAttackOptions } from './trades.js';
export { tradesLoss, type TradesLossOptions } from './tradesLoss.js';
export { tradesTrainingStep, type TradesTrainingStepOptions } from './tradesTrainingStep.js';
export { fitAdversarially } from './fitAdversarially.js';
export {
  carliniWagnerL2, deepFool, minimalPerturbation, minimalPerturbationSvg,
  type CarliniWagnerL2Options, type CarliniWagnerMargin, type DeepFoolOptions, type MinimalPerturbationOptions,
  type MinimalPerturbationSummary, type MinimalPerturbationSvgOptions, type NormStatistics, type Quantile,
} from './minimal/index.js';
export {
  apgd, apgdTargeted, dlrLoss, targetedDlrLoss, type ApgdLoss, type ApgdOptions, type ApgdTargetedOptions,
} from './apgd/index.js';
export { square, type SquareLoss, type SquareOptions, type WindowPositions } from './square/index.js';
export { fab, fabTargeted, type FabOptions, type FabTargetedOptions } from './fab/index.js';
export {
  autoAttack, robustnessReport, type AutoAttackLogEntry, type AutoAttackName, type AutoAttackOptions, type AutoAttackResult,
  type AutoAttackStep, type AutoAttackVersion, type LabelledAutoAttackResult, type RobustnessReportOptions,
} from './autoattack/index.js';
export type {
  FitAdversariallyOptions, FitAdversariallyCallbacks, AdversarialLogs, AdversarialHistory, TrainingAttackOptions,
  AdversarialTrainingMethod,
} from './fitAdversariallyTypes.js';
export type { TrainingCallbacks, TrainingLogs } from '../core/training/callbacks.js';
