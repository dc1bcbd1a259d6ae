/** The digits models of the DP-SGD speed goals, shared by the Node bench and the browser threads page. */
import * as tfl from '@tensorflow/tfjs-layers';

/** MLP 64-64-10 (`examples/dp-digits`), logits out. */
export function digitsMlp(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu' }), tfl.layers.dense({ units: 10 })] });
}

/** conv 3x3x8 'same' + conv 3x3x16 'same' + dense 10 on 8x8x1 digits, logits out. */
export function digitsCnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}
