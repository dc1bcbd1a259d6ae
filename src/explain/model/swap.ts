/**
 * Temporary replacement of layer behaviour during one synchronous computation (internal).
 *
 * Captum changes a torch module's backward pass with backward hooks and removes them afterwards.
 * tfjs has no hooks, so the same effect comes from swapping, for the duration of one synchronous
 * forward-and-gradient computation, the function a layer calls (its `activation` object, or its
 * own `call`) for a wrapper whose forward value is unchanged and whose gradient follows the rule.
 * The originals are restored in a `finally`: JavaScript runs one thing at a time and `tf.grad` is
 * synchronous, so no other code can observe the swapped model, and an error restores it too.
 */
import type { Tensor } from '../../core/tf.js';
import { internals, type ActivationObject, type HookSite } from './modelLayers.js';
import { swapCall } from './swapCall.js';
import { canUnfuse, unfuse } from './unfusedLayers.js';

/** A function of one tensor as a layer computes it (an activation, a pooling). */
export type LayerOp = (z: Tensor) => Tensor;

/** Builds the replacement of an op: same forward value, changed gradient. */
export type OpWrapper = (op: LayerOp, site: HookSite) => LayerOp;

/** The class name the swapped activations report, so fused-kernel paths are not taken. */
const SWAPPED_ACTIVATION = 'responsibleTfjsSwappedActivation';

/** The single tensor of a layer's inputs (the hooked layers take one input). */
function oneTensor(inputs: Tensor | Tensor[]): Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`expected one input tensor, got ${inputs.length}`);
  return inputs[0] as Tensor;
}

/** Installs the wrapper on one site; returns its restorer. */
function install(site: HookSite, wrap: OpWrapper): () => void {
  const target = internals(site.layer);
  if (site.where === 'activation') {
    const original = target.activation as ActivationObject;
    const swapped: ActivationObject = {
      getClassName: () => SWAPPED_ACTIVATION,
      getConfig: () => original.getConfig(),
      apply: (x: Tensor, ...rest: unknown[]) => wrap((z) => original.apply(z, ...rest), site)(x),
    };
    target.activation = swapped;
    return () => {
      target.activation = original;
    };
  }
  return swapCall(site.layer, (original) => (inputs, kwargs) => wrap((z) => original(z, kwargs) as Tensor, site)(oneTensor(inputs)));
}

/**
 * Runs `run` with every site's op replaced by `wrap(op)` (and Conv2D and Dense layers on their unfused path,
 * Conv2D and Dense layers on their unfused path, see `unfusedLayers.ts`), and restores the model afterwards, whether `run` returns or throws. `run`
 * must be synchronous (see the module comment).
 */
export function withSwappedOps<T>(sites: readonly HookSite[], wrap: OpWrapper, run: () => T): T {
  const restorers: Array<() => void> = [];
  try {
    for (const site of sites) {
      restorers.push(install(site, wrap));
      if (site.where === 'activation' && canUnfuse(site.layer)) restorers.push(unfuse(site.layer));
    }
    return run();
  } finally {
    for (let i = restorers.length - 1; i >= 0; i--) (restorers[i] as () => void)();
  }
}
