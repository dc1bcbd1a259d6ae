/**
 * Which rows an attack of the chain really broke (internal). AutoAttack's own code re-checks every
 * attack's output (inside the ball, inside [0, 1], no NaN) before it reports a robust accuracy;
 * so do we, so that a custom attack that oversteps its budget cannot lower the number.
 */
import { predictedClasses, type OutputKind } from '../../core/outputs/index.js';
import {
  all, cast, greaterEqual, isFinite, lessEqual, logicalAnd, notEqual, reshape, sub, tidy, type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import { rowNorm } from '../steps.js';
import type { AttackNorm } from '../types.js';

/**
 * Slack on the ball's radius for float32 rounding: `x + delta` is rounded to float32, which moves
 * each coordinate by at most half an ulp of the larger of |x| and |x + delta| (2^-24 relative). For
 * L2 the per-coordinate slack adds up over sqrt(d) coordinates.
 */
function radiusSlack(norm: AttackNorm, epsilon: number, scale: number, features: number): number {
  const ulp = 2 ** -23 * Math.max(1, scale);
  return norm === 'linf' ? ulp : epsilon * 1e-6 + ulp * Math.sqrt(features);
}

/** Per row (bool `[k]`, caller-owned): misclassified, finite, inside `[clipMin, clipMax]` and the ball. */
export function brokenRows(
  forward: (x: Tensor) => Tensor, kind: OutputKind, x: Tensor, adversarial: Tensor, labels: Tensor1D,
  limits: { readonly norm: AttackNorm; readonly epsilon: number; readonly clipMin: number; readonly clipMax: number },
): Tensor1D {
  return tidy(() => {
    const k = x.shape[0] as number;
    const flatAdv = reshape(adversarial, [k, -1]);
    const delta = sub(flatAdv, reshape(x, [k, -1]));
    const features = delta.shape[1] as number;
    const size = rowNorm(delta as Tensor2D, limits.norm);
    const scale = Math.max(Math.abs(limits.clipMin), Math.abs(limits.clipMax));
    const inBall = lessEqual(size, limits.epsilon + radiusSlack(limits.norm, limits.epsilon, scale, features));
    const inRange = logicalAnd(all(greaterEqual(flatAdv, limits.clipMin), 1), all(lessEqual(flatAdv, limits.clipMax), 1));
    const finite = all(isFinite(flatAdv), 1);
    const wrong = notEqual(predictedClasses(forward(adversarial), kind), cast(labels, 'int32'));
    return logicalAnd(logicalAnd(wrong, finite), logicalAnd(inBall, inRange)) as Tensor1D;
  });
}

/** Per row (bool `[k]`, caller-owned): misclassified by the model, whatever the input. */
export function misclassifiedRows(forward: (x: Tensor) => Tensor, kind: OutputKind, x: Tensor, labels: Tensor1D): Tensor1D {
  return tidy(() => notEqual(predictedClasses(forward(x), kind), cast(labels, 'int32')) as Tensor1D);
}
