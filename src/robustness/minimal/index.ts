/**
 * Minimal-perturbation attacks (internal barrel of `responsible-tfjs/robustness`): C&W L2 and
 * DeepFool find, per example, a small perturbation that changes the decision; the summary and its
 * histogram turn their results into a robustness profile.
 */
export { carliniWagnerL2, type CarliniWagnerL2Options } from './carliniWagner.js';
export type { CarliniWagnerMargin } from './cwMargin.js';
export { deepFool, type DeepFoolOptions } from './deepFool.js';
export {
  minimalPerturbation, type MinimalPerturbationOptions, type MinimalPerturbationSummary, type NormStatistics, type Quantile,
} from './summary.js';
export { minimalPerturbationSvg, type MinimalPerturbationSvgOptions } from './histogramSvg.js';
