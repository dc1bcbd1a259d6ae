import { add, clipByValue, grad, maximum, minimum, mul, randomUniform, scalar, sign, sub, tidy, type Scalar, type Tensor } from '../../core/tf.js';
import type { Rng } from '../../core/rng.js';
import { tensorSeed } from '../../core/rng.js';

/** L-inf PGD settings, in input units (internal). */
export interface CraftSettings {
  readonly epsilon: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly randomStart: boolean;
  readonly rng: Rng;
}

/**
 * L-inf projected gradient ascent of `objective(xAdv)` from `x` (Madry et al. 2018): optional
 * uniform random start in the ball, sign steps, projection onto the ball then onto the input range.
 * `objective` must sum over examples so that each example's step depends on it alone. A given
 * `start` (inside the ball after projection) replaces the random or clean start.
 * @returns Adversarial inputs the caller owns.
 */
export function craftAdversarial(x: Tensor, objective: (xAdv: Tensor) => Scalar, s: CraftSettings, start?: Tensor): Tensor {
  return tidy(() => {
    const lo = sub(x, scalar(s.epsilon));
    const hi = add(x, scalar(s.epsilon));
    const project = (z: Tensor): Tensor => clipByValue(minimum(maximum(z, lo), hi), s.clipMin, s.clipMax);
    let xk = start !== undefined
      ? project(start)
      : s.randomStart
      ? project(add(x, randomUniform(x.shape, -s.epsilon, s.epsilon, 'float32', tensorSeed(s.rng))))
      : x;
    const g = grad(objective);
    for (let i = 0; i < s.steps; i++) {
      const next = project(add(xk, mul(scalar(s.stepSize), sign(g(xk)))));
      xk = next;
    }
    return xk;
  });
}
