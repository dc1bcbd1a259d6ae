/** Per-example membership scores of one model, batch by batch (internal). */
import { betweenSteps } from '../../core/eventLoop.js';
import {
  checkLabelsFitOutputs, logProbabilities, perExampleCrossEntropy, twoClassLabels, type OutputKind,
} from '../../core/outputs/index.js';
import {
  exp, fill, greater, logSumExp, mul, neg, slice, sub, sum, tidy, where, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';

/** What a membership score measures; see {@link membershipScores}. */
export type MembershipScoreKind = 'loss' | 'confidence' | 'logitConfidence';

/**
 * Scores `[batch]` of one batch of outputs against labels shaped like them (call inside `tidy`).
 * `logitConfidence` subtracts the log-sum-exp of the other classes' log-probabilities from the
 * true class's: with logits both stay finite whatever the margin (a margin of 100 gives 100),
 * where `log(p) - log1p(-p)` would reach `log(0)` as soon as `p` rounds to 1 in float32.
 */
export function scoreOutputs(outputs: Tensor, labels: Tensor2D, kind: OutputKind, score: MembershipScoreKind): Tensor1D {
  if (score === 'loss') return neg(perExampleCrossEntropy(labels, outputs, kind)) as Tensor1D;
  const logP = logProbabilities(outputs, kind);
  const y = twoClassLabels(labels);
  const logPy = sum(mul(y, logP), -1);
  if (score === 'confidence') return exp(logPy) as Tensor1D;
  const others = where(greater(y, 0.5), fill(logP.shape, -Infinity), logP);
  return sub(logPy, logSumExp(others, -1)) as Tensor1D;
}

/**
 * Scores every row of `x` with `forward`, `batchSize` rows at a time, one asynchronous read per
 * batch, yielding to the event loop between batches.
 */
export async function scoreBatches(
  fn: string, forward: (x: Tensor) => Tensor, kind: OutputKind, x: Tensor, labels: Tensor2D, batchSize: number, score: MembershipScoreKind,
): Promise<Float64Array> {
  const n = x.shape[0] as number;
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += batchSize) {
    if (start > 0) await betweenSteps(fn, undefined);
    const size = Math.min(batchSize, n - start);
    const batch = tidy(() => {
      const yb = slice(labels, start, size) as Tensor2D;
      const outputs = forward(slice(x, start, size));
      checkLabelsFitOutputs(fn, yb, outputs);
      return scoreOutputs(outputs, yb, kind, score);
    });
    const values = await batch.data();
    batch.dispose();
    out.set(values, start);
  }
  return out;
}
