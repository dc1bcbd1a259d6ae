import type { Tensor, Tensor1D } from '../core/tf.js';
import type { ModelLike } from '../core/model.js';
import type { LabelsLike } from '../core/labels.js';

/**
 * Which output each example's attribution explains: one class index per example (an array, a
 * typed array or an int32 `[batch]` tensor), or `'predicted'` for the class the model predicts on
 * the unperturbed input. For a model with a **single output unit** (a binary model), class 1 is
 * the unit itself (its logit `z` or probability `p`) and class 0 is `-z` (logits: the log-odds of
 * class 0) or `1 - p` (probabilities).
 */
export type Target = 'predicted' | LabelsLike;

/** What a model returns; attributions are in the units of the selected output. */
export type ExplainModelOutput = 'logits' | 'probabilities';

/** Options every attribution method shares. */
export interface TargetOptions {
  /** The outputs to explain (see {@link Target}). Default `'predicted'`. */
  readonly target?: Target;
  /**
   * Whether the model returns logits or probabilities. It only matters for a single-unit model
   * (class 0 is `-z` for logits, `1 - p` for probabilities; `'predicted'` thresholds at 0 or 0.5).
   * Default: what the model declares (a final sigmoid or softmax means probabilities).
   */
  readonly modelOutput?: ExplainModelOutput;
}

/**
 * The result of an attribution method: `attributions` has the input's shape; `convergenceDelta`
 * (methods with a completeness property: integrated gradients, DeepLift, gradient SHAP) holds, per
 * example, the sum of the attributions minus the difference of the target output between the input
 * and the baseline. Every tensor is owned by the caller.
 */
export interface AttributionResult {
  /** One attribution per input element, of the input's shape. */
  readonly attributions: Tensor;
  /** Completeness gap per example (per example and baseline for DeepLift SHAP), when the method has one. */
  readonly convergenceDelta?: Tensor1D;
}

/**
 * An attribution method as {@link noiseTunnel} and the quality metrics call it: the library's
 * methods all have this shape.
 */
export type AttributionMethod<O extends TargetOptions = TargetOptions> =
  (model: ModelLike, x: Tensor, options?: O) => Promise<AttributionResult>;
