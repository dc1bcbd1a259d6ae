/**
 * responsible-tfjs/robustness: FGSM and PGD attacks that reproduce torchattacks, robust-accuracy
 * evaluation, and adversarial training (PGD and TRADES) for any tfjs model.
 * @packageDocumentation
 */
export type { Attack, AttackCallOptions, AttackCommonOptions, ModelOutput, PerExampleLoss } from './types.js';
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
export type {
  FitAdversariallyOptions, FitAdversariallyCallbacks, AdversarialLogs, AdversarialHistory, TrainingAttackOptions,
  AdversarialTrainingMethod,
} from './fitAdversariallyTypes.js';
