/**
 * MobileNetV1 (Howard et al. 2017, arXiv 1704.04861) at width 0.25, laid out as Keras's MobileNet
 * builds it, for the operation-count test and the sustainability benchmark. Plain tfjs-layers, no
 * test framework, so the benchmark can import it.
 */
import * as tfl from '@tensorflow/tfjs-layers';

export const ALPHA = 0.25;
/** (filters, stride) of the 13 depthwise-separable blocks at width 1 (Howard et al. 2017, Table 1). */
export const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];
export const CLASSES = 1000;

function bnRelu6(model: tfl.Sequential): void {
  model.add(tfl.layers.batchNormalization({}));
  model.add(tfl.layers.reLU({ maxValue: 6 }));
}

/** MobileNetV1 at width ALPHA for square inputs of side `resolution`, as Keras's MobileNet builds it. */
export function mobileNetV1(resolution: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [resolution, resolution, 3], filters: 32 * ALPHA, kernelSize: 3, strides: 2, padding: 'same', useBias: false }));
  bnRelu6(model);
  for (const [filters, strides] of BLOCKS) {
    model.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }));
    bnRelu6(model);
    model.add(tfl.layers.conv2d({ filters: filters * ALPHA, kernelSize: 1, useBias: false }));
    bnRelu6(model);
  }
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(tfl.layers.reshape({ targetShape: [1, 1, 1024 * ALPHA] }));
  model.add(tfl.layers.dropout({ rate: 0.001 }));
  model.add(tfl.layers.conv2d({ filters: CLASSES, kernelSize: 1 }));
  model.add(tfl.layers.reshape({ targetShape: [CLASSES] }));
  model.add(tfl.layers.activation({ activation: 'softmax' }));
  return model;
}
