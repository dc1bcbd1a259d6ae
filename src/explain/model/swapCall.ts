/** Temporary replacement of a layer's `call` (internal; see `swap.ts` for why it is safe). */
import type { Tensor } from '../../core/tf.js';
import { internals, type ModelLayer } from './modelLayers.js';

/** A layer's `call` as tfjs-layers invokes it. */
export type LayerCall = (inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

/**
 * Replaces the layer's `call` by `replacement(original)`; returns the function that restores it
 * (the prototype method again when the layer had no own `call`).
 */
export function swapCall(
  layer: ModelLayer,
  replacement: (original: LayerCall) => LayerCall,
): () => void {
  const target = internals(layer);
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'call');
  const previous = target.call;
  const original: LayerCall = (inputs, kwargs) => Reflect.apply(previous, layer, [inputs, kwargs]) as Tensor | Tensor[];
  target.call = replacement(original);
  return () => {
    if (hadOwn) target.call = previous;
    else delete (target as { call?: unknown }).call;
  };
}
