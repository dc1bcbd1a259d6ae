/** Writing one flat vector into a model's trainable weights. */
import { tensor, tidy, type LayersModel } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { WeightLayout } from '../types.js';
import { trainableWeightsOf } from './weightLayoutOf.js';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Assigns a flat vector to a model's trainable weights. The layout is checked against the model
 * first, so a client whose model differs from the federation's architecture is refused before
 * anything is written: same number of trainable weights, and the same shape for each (names are
 * not compared: tfjs makes them unique per process, see {@link weightLayoutOf}). Values must be
 * finite: NaN or infinite weights would silently ruin every later round.
 *
 * @param model - The `tf.LayersModel` to update (its weights are replaced; nothing else changes).
 * @param layout - The layout `values` is in (from {@link readWeights} or {@link weightLayoutOf}).
 * @param values - `layout.size` finite float32 values. Copied: later changes to the array do not affect the model.
 * @throws {@link InvalidArgumentError} naming the first mismatched weight with the expected
 *   (model) and received (layout) shapes, a wrong number of weights or values, or the first
 *   non-finite value. Nothing is written when it throws.
 * @example
 * ```ts
 * import { readWeights, writeWeights } from 'responsible-tfjs/federated';
 * const { layout, values } = await readWeights(serverModel);
 * writeWeights(clientModel, layout, values); // clientModel now has the server's weights
 * ```
 */
export function writeWeights(model: LayersModel, layout: WeightLayout, values: Float32Array): void {
  const fn = 'writeWeights';
  const weights = trainableWeightsOf(fn, model);
  checkLayout(fn, layout, weights.map((w) => w.shape as number[]), weights.map((w) => w.name));
  if (!(values instanceof Float32Array)) invalid(fn, 'values', values, 'a Float32Array');
  if (values.length !== layout.size) invalid(fn, 'values', `length ${values.length}`, `a Float32Array of layout.size = ${layout.size} values`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      invalid(fn, `values[${i}]`, values[i], 'a finite number', `Element ${i} belongs to weight '${weightAt(layout, i)}'`);
    }
  }
  tidy(() => {
    weights.forEach((w, i) => {
      const from = layout.offsets[i] as number;
      // slice, not subarray: the cpu backend keeps the array it is given.
      w.write(tensor(values.slice(from, layout.offsets[i + 1] as number), w.shape as number[], 'float32'));
    });
  });
}

function weightAt(layout: WeightLayout, index: number): string {
  for (let i = 0; i < layout.names.length; i++) if (index < (layout.offsets[i + 1] as number)) return layout.names[i] as string;
  return '?';
}

/** Checks that a layout is well formed and matches the given shapes (internal; throws InvalidArgumentError). */
export function checkLayout(fn: string, layout: WeightLayout, modelShapes: readonly (readonly number[])[], modelNames: readonly string[]): void {
  const l = layout as Partial<WeightLayout> | null;
  if (typeof l !== 'object' || l === null || !Array.isArray(l.shapes) || !Array.isArray(l.offsets) || !Array.isArray(l.names) || typeof l.size !== 'number') {
    invalid(fn, 'layout', layout, 'a WeightLayout { names, shapes, offsets, size } (from readWeights or weightLayoutOf)');
  }
  if (l.shapes!.length !== modelShapes.length) {
    invalid(fn, 'layout', `a layout of ${l.shapes!.length} weights`, `a layout of the model's ${modelShapes.length} trainable weights`,
      'The model and the weights come from different architectures');
  }
  let size = 0;
  for (let i = 0; i < modelShapes.length; i++) {
    const expected = modelShapes[i] as readonly number[];
    const received = l.shapes![i] as readonly number[];
    if (!Array.isArray(received) || received.length !== expected.length || received.some((d, k) => d !== expected[k])) {
      invalid(fn, `layout.shapes[${i}]`, Array.isArray(received) ? shapeText(received) : received,
        `${shapeText(expected)}, the shape of the model's weight '${modelNames[i]}'`);
    }
    if (l.offsets![i] !== size) invalid(fn, `layout.offsets[${i}]`, l.offsets![i], `${size} (the sum of the sizes of the weights before it)`);
    size += expected.reduce((a, b) => a * b, 1);
  }
  if (l.offsets![modelShapes.length] !== size || l.offsets!.length !== modelShapes.length + 1) {
    invalid(fn, 'layout.offsets', l.offsets, `${modelShapes.length + 1} offsets ending at ${size}`);
  }
  if (l.size !== size) invalid(fn, 'layout.size', l.size, `${size} (the model's number of trainable parameters)`);
}
