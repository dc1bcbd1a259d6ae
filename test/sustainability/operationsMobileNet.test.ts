/**
 * countOperations against a published count: MobileNetV1 with width multiplier 0.25, built from
 * tfjs-layers layers as Keras builds it (conv 3×3 stride 2, 13 depthwise-separable blocks with
 * batch norm and ReLU6, global average pooling, a 1×1 convolution classifier), no forward pass.
 *
 * Published figures (multiply-adds and parameters, rounded by their authors):
 * - TF-Slim MobileNet v1 table (tensorflow/models, research/slim/nets/mobilenet_v1.md, 2018
 *   checkpoints): MobileNet_v1_0.25_128 14 million MACs, 0.47 million parameters;
 *   MobileNet_v1_0.25_224 41 million MACs, 0.47 million parameters.
 * - Howard et al. 2017, "MobileNets", arXiv 1704.04861, Table 6: 0.25 MobileNet-224, 41 million
 *   mult-adds, 0.5 million parameters.
 * Both count the mult-adds of the convolutions and the classifier only (no bias, batch norm or
 * activation), which is what `macs` counts. Their parameters are the trainable ones: kernels,
 * classifier bias, and batch norm's gamma and beta (the moving mean and variance are not trained;
 * with them the model has 475,544). TF-Slim's classifier has 1001 classes (a background class):
 * 257 more MACs and parameters than the 1000 here, far below the rounding.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countOperations } from '../../src/sustainability/operations/index.js';
import { describeBackends } from '../helpers/backends.js';
import { ALPHA, BLOCKS, CLASSES, mobileNetV1 } from '../helpers/mobileNet.js';


/**
 * The paper's own cost formulas (Howard et al. 2017, section 3.1): a standard convolution costs
 * D_K·D_K·M·N·D_F·D_F, a depthwise one D_K·D_K·M·D_F·D_F, a pointwise one M·N·D_F·D_F, for D_F the
 * output side; the classifier M·classes.
 */
function paperMultAdds(resolution: number): number {
  let side = Math.ceil(resolution / 2);
  let m = 32 * ALPHA;
  let total = 3 * 3 * 3 * m * side * side;
  for (const [filters, stride] of BLOCKS) {
    const n = filters * ALPHA;
    side = Math.ceil(side / stride);
    total += 3 * 3 * m * side * side + m * n * side * side;
    m = n;
  }
  return total + m * CLASSES;
}

describeBackends('countOperations on MobileNetV1 0.25', () => {
  it('matches the published 14 million MACs and 0.47 million parameters at 128×128', async () => {
    const model = mobileNetV1(128);
    const counts = await countOperations(model, { sparse: false });
    expect(counts.total.macs).toBe(paperMultAdds(128)); // 13,570,048
    expect(Math.round(counts.total.macs / 1e6)).toBe(14);
    expect(Math.round(counts.total.trainableParameters / 1e4) / 100).toBe(0.47);
    expect(counts.total.parameters).toBe(model.countParams());
    // Batch norm, ReLU6, pooling, softmax and the classifier bias are FLOPs beyond the 2 per MAC.
    expect(counts.total.flops).toBeGreaterThan(2 * counts.total.macs);
  });

  it('matches the published 41 million MACs at 224×224 (paper Table 6, TF-Slim table)', async () => {
    const model = mobileNetV1(224);
    const counts = await countOperations(model, { sparse: false });
    expect(counts.total.macs).toBe(paperMultAdds(224)); // 41,030,272
    expect(Math.round(counts.total.macs / 1e6)).toBe(41);
    // The paper rounds the same parameters to 0.5 million.
    expect(Math.round(counts.total.trainableParameters / 1e5) / 10).toBe(0.5);
  });

  it('counts every non-zero kernel entry of a freshly initialised MobileNet as a sparse MAC', async () => {
    const counts = await countOperations(mobileNetV1(128));
    // Glorot-uniform kernels are almost surely free of exact zeros.
    expect(counts.total.sparseMacs).toBe(counts.total.macs);
  });
});
