/**
 * One forward and one backward pass that capture, for every layer call with trainable weights,
 * its input and the gradient of the summed loss at its pre-activation output (internal).
 */
import {
  argMax, clone, dispose, equal, keep, sum, tidy, valueAndGrads, zeros, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { assertGradientsAvailable } from '../../core/gradients.js';
import { perExampleCrossEntropy } from '../../core/outputs/index.js';
import { runModel } from './graph.js';
import type { ModelPlan } from './modelPlan.js';
import type { LayerCall } from './rules/index.js';

/** The captured calls and per-example results; the caller disposes it. */
export interface Capture {
  readonly calls: readonly LayerCall[];
  /** Per-example losses `[batch]`. */
  readonly losses: Tensor1D;
  /** 1 where the arg-max prediction matches the label, else 0 (`[batch]`, bool). */
  readonly correct: Tensor1D;
  dispose(): void;
}

/**
 * Per-example softmax cross-entropy `[batch]` from the model's outputs: logits (the engine strips
 * a final softmax, so this is log-softmax) or, for a model whose softmax could not be removed,
 * probabilities raised to the library's probability floor before the log.
 */
export function crossEntropy(labels: Tensor2D, outputs: Tensor, fromLogits: boolean): Tensor1D {
  return perExampleCrossEntropy(labels, outputs, fromLogits ? 'logits' : 'probabilities');
}

/** Shapes of the probes for a batch, from the symbolic shapes or, if unknown, a dry run. */
function probeShapes(plan: ModelPlan, x: Tensor): number[][] {
  const batch = x.shape[0] as number;
  const symbolic = plan.sites.map((s) => [batch, ...s.shape.slice(1)]);
  if (symbolic.every((shape) => shape.every((d) => typeof d === 'number'))) return symbolic as number[][];
  const shapes: number[][] = [];
  tidy(() => {
    runModel(plan.model, x, {
      training: false,
      logits: plan.finalSoftmax,
      record: (i, input) => {
        const site = plan.sites[i]!;
        shapes[i] = site.rule.preActivation(site.layer, input).shape;
      },
    });
  });
  return shapes;
}

/**
 * Runs the capture. `labels` are one-hot `[batch, numClasses]`.
 * @returns A {@link Capture} the caller must dispose.
 */
export function capture(plan: ModelPlan, x: Tensor, labels: Tensor2D, training: boolean): Capture {
  assertGradientsAvailable('perExampleGradients');
  const inputs: Tensor[] = [];
  let losses: Tensor1D | undefined;
  let correct: Tensor1D | undefined;
  const probes = probeShapes(plan, x).map((shape) => zeros(shape));
  try {
    const f = (...p: Tensor[]): Tensor => {
      const outputs = runModel(plan.model, x, {
        training,
        logits: plan.finalSoftmax,
        probes: p,
        record: (i, input) => {
          inputs[i] = keep(clone(input));
        },
      });
      const perExample = crossEntropy(labels, outputs, true);
      losses = keep(clone(perExample));
      correct = keep(equal(argMax(outputs, 1), argMax(labels, 1))) as Tensor1D;
      return sum(perExample);
    };
    const { value, grads } = valueAndGrads(f)(probes);
    value.dispose();
    return {
      calls: grads.map((outputGrad, i) => ({ input: inputs[i] as Tensor, outputGrad })),
      losses: losses as Tensor1D,
      correct: correct as Tensor1D,
      dispose() {
        dispose([...inputs, ...grads, losses as Tensor1D, correct as Tensor1D]);
      },
    };
  } catch (e) {
    dispose([...inputs, ...(losses ? [losses] : []), ...(correct ? [correct] : [])]);
    throw e;
  } finally {
    dispose(probes);
  }
}
