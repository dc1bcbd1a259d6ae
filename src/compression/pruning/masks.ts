import { roundHalfEven } from '../internal/rounding.js';
import { pruneCountUnchecked, type PruningCountRule } from './counts.js';
import { keepMaskAtLeastKth, keepMaskExact, magnitudeBits } from './select.js';

/** One tensor to prune, as read off the device. */
export interface PruneTarget {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /** Bias entries are pruned only when asked, and follow their channel in structured pruning. */
  readonly role: 'kernel' | 'bias';
  /** Index of the kernel this bias belongs to (structured pruning). */
  readonly kernelIndex?: number;
}

/** Resolved options of a mask computation. */
export interface MaskSpec {
  readonly sparsity: number;
  readonly scope: 'global' | 'layer';
  readonly structured: boolean;
  readonly norm: 'l1' | 'l2';
  readonly rule: PruningCountRule;
}

/** Keep masks (1 kept, 0 pruned), one per target, in row-major layout. */
export function computeMasks(targets: readonly PruneTarget[], spec: MaskSpec): Uint8Array[] {
  if (spec.structured) return structuredMasks(targets, spec);
  const groups = spec.scope === 'global' ? [targets.map((_, i) => i)] : targets.map((_, i) => [i]);
  const masks: Uint8Array[] = new Array(targets.length);
  for (const group of groups) {
    const bits = magnitudeBits(group.map((i) => targets[i]!.values));
    const pruned = pruneCountUnchecked(bits.length, spec.sparsity, spec.rule);
    const keep = spec.rule === 'torch' ? keepMaskExact(bits, pruned) : keepMaskAtLeastKth(bits, bits.length - pruned);
    let o = 0;
    for (const i of group) {
      const n = targets[i]!.values.length;
      masks[i] = keep.slice(o, o + n);
      o += n;
    }
  }
  return masks;
}

/**
 * Whole output channels (last axis: Dense units, Conv filters) with the smallest L1 or L2 norms,
 * per kernel; `round(sparsity * channels)` of them (half to even, as torch's `ln_structured`), ties
 * broken by lower channel index. A bias target follows its kernel's channels.
 */
function structuredMasks(targets: readonly PruneTarget[], spec: MaskSpec): Uint8Array[] {
  const channelKeep = new Map<number, Uint8Array>();
  targets.forEach((t, i) => {
    if (t.role !== 'kernel') return;
    const channels = t.shape[t.shape.length - 1] ?? 1;
    const norms = new Float64Array(channels);
    for (let j = 0; j < t.values.length; j++) {
      const v = t.values[j] as number;
      const c = j % channels;
      norms[c] = (norms[c] as number) + (spec.norm === 'l1' ? Math.abs(v) : v * v);
    }
    const k = roundHalfEven(spec.sparsity * channels);
    const order = Array.from({ length: channels }, (_, c) => c).sort((a, b) => (norms[a] as number) - (norms[b] as number) || a - b);
    const keep = new Uint8Array(channels).fill(1);
    for (let c = 0; c < k; c++) keep[order[c] as number] = 0;
    channelKeep.set(i, keep);
  });
  return targets.map((t, i) => {
    const keep = channelKeep.get(t.role === 'kernel' ? i : (t.kernelIndex ?? -1));
    const mask = new Uint8Array(t.values.length).fill(1);
    if (keep === undefined) return mask;
    const channels = keep.length;
    for (let j = 0; j < mask.length; j++) mask[j] = keep[j % channels] as number;
    return mask;
  });
}
