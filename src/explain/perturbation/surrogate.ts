/**
 * The LIME framework both {@link lime} and {@link kernelShap} run on (internal), after Captum's
 * `LimeBase` (`attr/_core/lime.py`): per example, sample binary coalitions of the features
 * (1 = the feature keeps the input's value, 0 = it takes the baseline's), evaluate the model on
 * them, weight each sample and fit a linear surrogate on the binary indicators; its coefficients
 * are the attributions. Every example gets its own samples and its own fit, as Captum does for a
 * batch; all examples' samples go through the model together in batches.
 */
import { tensor, type Tensor } from '../../core/tf.js';
import type { ExplainContext } from '../context.js';
import { featureCount, maskOffset, type ResolvedMask } from './featureMask.js';
import type { RegressionData } from './leastSquares.js';
import { maskedTargetOutputs, type MaskedEvaluation } from './maskedRows.js';

/** How a surrogate method samples, weighs and fits. */
export interface SurrogateMethod {
  /** Samples per example. */
  readonly samples: number;
  /** Fills `coalitions` (`samples × features`, row-major, zeroed) for example `example`. */
  draw(example: number, coalitions: Uint8Array, features: number): void;
  /** The weight of each sample of one example (`coalitions` as drawn, `samples × features`). */
  weigh(example: number, coalitions: Uint8Array, features: number): Float64Array;
  /** The surrogate's coefficients, one per feature. */
  fit(data: RegressionData): Float64Array;
}

/**
 * Runs a surrogate method over the batch and returns attributions of `x`'s shape (each element
 * holds its feature's coefficient), owned by the caller.
 */
export async function surrogateAttributions(run: MaskedEvaluation, mask: ResolvedMask, method: SurrogateMethod): Promise<Tensor> {
  const ctx: ExplainContext = run.ctx;
  const { batch, featureSize: size } = ctx;
  const features = featureCount(mask);
  const samples = method.samples;
  const perExample = samples * features;
  const coalitions = new Uint8Array(batch * perExample);
  for (let i = 0; i < batch; i++) method.draw(i, coalitions.subarray(i * perExample, (i + 1) * perExample), features);
  // Rows are example-major: row = example * samples + sample.
  const values = await maskedTargetOutputs(run, {
    count: batch * samples,
    exampleOf: (row) => Math.floor(row / samples),
    fillKeep: (row, keep) => {
      const offset = maskOffset(mask, Math.floor(row / samples), size);
      const base = row * features;
      for (let e = 0; e < size; e++) keep[e] = coalitions[base + (mask.featureOf[offset + e] as number)] as number;
    },
  });
  const attributions = new Float32Array(batch * size);
  for (let i = 0; i < batch; i++) {
    const design = coalitions.subarray(i * perExample, (i + 1) * perExample);
    const coefficients = method.fit({
      rows: samples,
      features,
      design,
      targets: values.subarray(i * samples, (i + 1) * samples),
      weights: method.weigh(i, design, features),
    });
    const offset = maskOffset(mask, i, size);
    for (let e = 0; e < size; e++) attributions[i * size + e] = coefficients[mask.featureOf[offset + e] as number] as number;
  }
  return tensor(attributions, ctx.x.shape, 'float32');
}
