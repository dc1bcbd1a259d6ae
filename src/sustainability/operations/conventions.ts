/**
 * The counting conventions of {@link countOperations}, in one place: the rules in `rules/` charge
 * what is written here, and every report carries this text.
 */

/**
 * The conventions, as each report states them. MACs follow the MobileNet paper's "mult-adds"
 * (Howard et al. 2017, arXiv 1704.04861, section 3.2: D_K·D_K·M·D_F·D_F for a depthwise and
 * M·N·D_F·D_F for a pointwise convolution), which the TF-Slim MobileNet v1 table also uses; bias,
 * normalization and activations are left out of MACs there and so here.
 */
export const COUNTING_CONVENTIONS = [
  'A MAC (multiply-accumulate) is one multiplication of a kernel entry with an input value plus one addition; 1 MAC = 2 FLOPs.',
  'MACs count the kernel products of Dense, Conv1D, Conv2D, DepthwiseConv2D and SeparableConv2D layers only (the "mult-adds" of the MobileNet paper, Howard et al. 2017): per output position, every kernel entry, padding positions included (as in the paper\'s D_K·D_K·M·N·D_F·D_F).',
  'sparseMacs counts the same products for non-zero kernel entries only (what a sparse kernel could skip to); tfjs runs dense kernels, so macs is what it executes.',
  'FLOPs = 2 × MACs + every other operation: a bias add is 1 FLOP per output element; batch normalization at inference is folded to one multiply and one add per element (x·a + b, with a = gamma/sqrt(variance + epsilon) and b = beta − a·mean precomputed), 2 FLOPs (0 if folded into the preceding convolution, which tfjs does not do); layer normalization is 8 FLOPs per element (mean 1, variance 3, normalize 2, scale and shift 2; per-row divisions and square roots not counted).',
  'Activations, fused or as layers: 1 FLOP per output element for every non-linear activation (relu, relu6, sigmoid, tanh, softmax, elu, ...), whatever its instruction count; linear 0. fvcore counts activations as 0 and ptflops counts ReLU as 1 per element: subtract activationElements-sized terms accordingly when comparing.',
  'Pooling: max pooling (window − 1) comparisons and average pooling window FLOPs (window − 1 adds, 1 multiply) per output element, the full window counted at borders; global pooling likewise over all positions of a channel. Pooling has 0 MACs.',
  'Merges: Add, Multiply, Maximum, Minimum (n − 1) FLOPs per output element for n inputs; Average n; Concatenate 0.',
  'Embedding: 0 MACs and 0 FLOPs; each looked-up row counts as one lookup. Flatten, Reshape, Permute, RepeatVector, padding, cropping, Dropout and noise layers (identities at inference): 0.',
  'Input layers are not rows (their output is the caller\'s input). Activation memory is the sum of all layer outputs as float32 (4 bytes per element), an upper bound on what one inference holds at once. Nested models are expanded into their layers; a shared layer is counted at each call, its parameters once.',
].join('\n');

/**
 * FLOPs per output element charged for an activation function by name (tfjs serialized names:
 * 'linear', 'relu', 'relu6', 'sigmoid', 'softmax', ...): 0 for 'linear' (or none), 1 otherwise,
 * the uniform convention stated in {@link COUNTING_CONVENTIONS}.
 */
export function activationFlopsPerElement(activation: unknown): number {
  return activation === undefined || activation === null || activation === 'linear' ? 0 : 1;
}
