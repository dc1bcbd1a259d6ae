/**
 * One training objective for the task and its responsibilities: {@link ethicalLoss} sums the task
 * loss and weighted terms for fairness ({@link demographicParityTerm}, {@link equalizedOddsTerm},
 * {@link mmdTerm}), robustness ({@link adversarialTerm}, {@link tradesTerm}), sparsity
 * ({@link l1Term}, {@link groupLassoTerm}), explanations ({@link inputGradientTerm}) and
 * compactness (a teacher's knowledge: {@link distillationTerm}). Weighting
 * strategies choose the weights ({@link fixedWeights}, {@link normalizedWeights}, constraints with
 * {@link lagrangian}, {@link mgda}, {@link gradNorm}); {@link trainMultiObjective} trains with
 * them, optionally under DP-SGD; {@link paretoSweep} and {@link paretoFront} map the trade-offs.
 * Guide: [objectives](../../docs/objectives.md).
 * @module responsible-tfjs/objectives
 */
export type { LossTerm, TermContext, PrepareContext, ObjectiveBatch, TermDataDependence } from './types.js';
export { ethicalLoss, type EthicalLoss, type EthicalLossOptions, type ObjectiveStepResult } from './ethicalLoss.js';

export { crossEntropyTerm, type CrossEntropyTermOptions } from './terms/crossEntropyTerm.js';
export { demographicParityTerm, type GroupTermOptions } from './terms/demographicParityTerm.js';
export { equalizedOddsTerm } from './terms/equalizedOddsTerm.js';
export { mmdTerm, type MmdTermOptions } from './terms/mmdTerm.js';
export { adversarialTerm, type AdversarialTermOptions } from './terms/adversarialTerm.js';
export { tradesTerm } from './terms/tradesTerm.js';
export { l1Term, type L1TermOptions } from './terms/l1Term.js';
export { groupLassoTerm, type GroupLassoTermOptions } from './terms/groupLassoTerm.js';
export { inputGradientTerm, type InputGradientTermOptions } from './terms/inputGradientTerm.js';
export { distillationTerm, type DistillationTermOptions } from './terms/distillationTerm.js';

export type {
  WeightingStrategy, WeightingState, WeightingStepContext, WeightingBatchContext, WeightingStepResult, ObjectiveGradients,
} from './strategies/types.js';
export { fixedWeights, type FixedWeighting } from './strategies/fixedWeights.js';
export { normalizedWeights, type NormalizedWeighting, type NormalizedWeightsOptions } from './strategies/normalizedWeights.js';
export { lagrangian, type LagrangianWeighting, type LagrangianOptions } from './strategies/lagrangian.js';
export { mgda, type MgdaWeighting, type MgdaNormalization, type MgdaOptions } from './strategies/mgda.js';
export { gradNorm, type GradNormWeighting, type GradNormOptions } from './strategies/gradNorm.js';
export { minNormCoefficients, type MinNormOptions, type MinNormResult } from './strategies/minNormCoefficients.js';

export { paretoFront, dominates, type ParetoObjectives } from './pareto/paretoFront.js';
export { weightGrid } from './pareto/weightGrid.js';
export { paretoSweep, type ParetoSweepOptions, type ParetoSweepResult, type SweepPoint } from './pareto/paretoSweep.js';

export { trainMultiObjective } from './training/trainMultiObjective.js';
export { objectiveStep, type ObjectiveStepOptions } from './training/objectiveStep.js';
export type { TrainingCallbacks, TrainingLogs } from '../core/training/callbacks.js';
export type {
  ObjectiveData, ObjectivePrivacyOptions, ObjectiveStepLogs, ObjectiveEpochLogs, ObjectiveCallbacks, TrainMultiObjectiveOptions,
  MultiObjectiveHistory, TrainMultiObjectiveResult,
} from './training/types.js';
export { NonDecomposableTermError } from './errors.js';
