/**
 * Which layers the per-example engine handles (internal): layers with a gradient rule, layers
 * without trainable weights that treat each example on its own, and known layers that cannot be
 * handled, with the reason and a replacement.
 */
import { LAYER_RULES } from './rules/index.js';
import type { LayerLike } from './types.js';

/** Layers without trainable weights that never mix examples. */
export const PASS_THROUGH_LAYERS: ReadonlySet<string> = /* @__PURE__ */ new Set([
  'InputLayer', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Add', 'Multiply', 'Average', 'Maximum', 'Minimum',
  'Concatenate', 'Dot', 'Rescaling', 'CenterCrop', 'Resizing',
]);

/** Known layers that cannot be handled, with the reason and a replacement. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, { reason: string; suggestion: string }>> = {
  BatchNormalization: {
    reason:
      'it normalises each example with statistics of the whole batch, so one example changes the gradients of all the others; ' +
      'per-example clipping no longer bounds any one example\'s influence and the privacy guarantee does not hold',
    suggestion: 'LayerNormalization (per-example statistics), or GroupNormalization-style normalisation over channels',
  },
  Conv2DTranspose: { reason: 'no per-example gradient rule', suggestion: 'an UpSampling2D followed by a Conv2D' },
  Conv3D: { reason: 'no per-example gradient rule', suggestion: 'Conv2D layers over reshaped inputs' },
  PReLU: { reason: 'its trainable slopes have no per-example gradient rule', suggestion: 'LeakyReLU (fixed slope) or ReLU' },
  TimeDistributed: { reason: 'no per-example gradient rule', suggestion: 'a Dense layer on the rank-3 input (it applies to every position)' },
  Bidirectional: { reason: 'recurrent layers have no per-example gradient rule', suggestion: 'an Embedding with Dense or Conv2D layers' },
  ConvLSTM2D: { reason: 'recurrent layers have no per-example gradient rule', suggestion: 'Conv2D layers' },
};

const REGULARIZER_FIELDS = [
  'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'embeddingsRegularizer', 'depthwiseRegularizer', 'pointwiseRegularizer',
  'gammaRegularizer', 'betaRegularizer',
];
const CONSTRAINT_FIELDS = ['kernelConstraint', 'biasConstraint', 'embeddingsConstraint', 'depthwiseConstraint', 'pointwiseConstraint', 'gammaConstraint', 'betaConstraint'];

/** How the engine treats one layer. */
export type LayerSupport =
  | { readonly kind: 'rule' }
  | { readonly kind: 'passThrough' }
  | { readonly kind: 'unsupported'; readonly reason: string; readonly suggestion: string };

/** Classifies one (non-container) layer. */
export function layerSupport(layer: LayerLike): LayerSupport {
  const className = layer.getClassName();
  const known = KNOWN_UNSUPPORTED[className];
  if (className === 'BatchNormalization' && known !== undefined) return { kind: 'unsupported', ...known };
  const rule = LAYER_RULES[className];
  if (rule !== undefined) {
    const problem = rule.check(layer) ?? regularizerProblem(layer);
    if (problem !== undefined) return { kind: 'unsupported', reason: problem, suggestion: `a ${className} without it` };
    return { kind: 'rule' };
  }
  if (PASS_THROUGH_LAYERS.has(className)) return { kind: 'passThrough' };
  if (known !== undefined) {
    // Frozen layers are constants; only their trainable weights would need a rule.
    return layer.trainableWeights.length === 0 && className !== 'TimeDistributed' && className !== 'Bidirectional'
      ? { kind: 'passThrough' }
      : { kind: 'unsupported', ...known };
  }
  return {
    kind: 'unsupported',
    reason: 'unknown layer class: the engine cannot verify that it treats each example independently',
    suggestion: 'supported layers (Dense, Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Embedding, LayerNormalization, SimpleRNN, LSTM, GRU, RNN of their cells and weight-free layers)',
  };
}

function regularizerProblem(layer: LayerLike): string | undefined {
  const config = layer.getConfig();
  const reg = REGULARIZER_FIELDS.find((f) => config[f] !== null && config[f] !== undefined);
  if (reg !== undefined) return `${reg} is not applied by the per-example engine (clipping already bounds each update)`;
  const con = CONSTRAINT_FIELDS.find((f) => config[f] !== null && config[f] !== undefined);
  if (con !== undefined) return `${con} is not applied by the per-example engine`;
  return undefined;
}
