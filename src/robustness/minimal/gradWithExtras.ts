/** Gradient of a scalar objective that also hands back intermediate tensors of the same forward pass (internal). */
import { keep, valueAndGrad, type Scalar, type Tensor } from '../../core/tf.js';
import { withTapeCleanup } from '../../core/tape.js';

/**
 * `d objective / d x` at `x`, plus the tensors `f` computed on the way (the model's outputs, say),
 * so that one forward pass serves both the gradient and the bookkeeping, as `cost.backward()` after
 * reading `outputs` does in torch. Call inside `tidy`: the gradient, the objective's value and the
 * extras are then tracked by that scope (the extras are kept through the gradient's own scope and
 * handed to the caller's).
 */
export function gradWithExtras<E extends Record<string, Tensor>>(
  f: (x: Tensor) => { objective: Scalar; extras: E },
  x: Tensor,
): { grad: Tensor; value: Scalar; extras: E } {
  let extras: E | undefined;
  try {
    const { value, grad } = withTapeCleanup(() => valueAndGrad((xi: Tensor) => {
      const r = f(xi);
      for (const t of Object.values(r.extras)) keep(t);
      extras = r.extras;
      return r.objective;
    })(x));
    const kept = extras!;
    // Hand the extras back to the enclosing scope: a clone is tracked by it, the kept original is freed.
    const tracked = Object.fromEntries(Object.entries(kept).map(([k, t]) => [k, t.clone()])) as E;
    for (const t of Object.values(kept)) t.dispose();
    return { grad, value: value as Scalar, extras: tracked };
  } catch (e) {
    if (extras !== undefined) for (const t of Object.values(extras)) t.dispose();
    throw e;
  }
}
