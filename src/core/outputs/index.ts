/**
 * Model outputs (internal): log-probabilities from logits or probabilities, single-unit (binary)
 * models as two classes, the one probability floor, per-example cross-entropy and KL divergence,
 * predictions, and labels shaped like the outputs. Every loss, attack and term goes through here.
 */
export { PROBABILITY_FLOOR, isSingleUnit, logProbabilities, twoClassLabels, type OutputKind } from './logProbabilities.js';
export { crossEntropyOfLogProbabilities, perExampleCrossEntropy, perExampleKl } from './losses.js';
export { labelClasses, positiveLabels, positiveScore, predictedClasses, predictedLabels } from './predictions.js';
export { checkLabelsFitOutputs, classIndicesOf, labelsLikeOutputs } from './labels.js';
export { declaredOutputKind, endsWithSoftmax, resolveOutputKind } from './outputKind.js';
