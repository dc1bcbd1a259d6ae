/**
 * Sums of a round's contributions, plain or through secure aggregation, in one form
 * ({@link RoundAggregate}) for {@link finishRound}.
 */
import { invalid } from '../../core/validate.js';
import { decodeFixedPointSum } from '../secagg/fixedPoint.js';
import type { ClientContribution } from './clientContribution.js';
import type { RoundAggregate } from './finishRound.js';
import type { RoundPlan } from './roundPlan.js';
import { sharedIndices } from '../compression/selectCoordinates.js';

/** Where the sent values go in the full vector: every coordinate, or the round's shared ones. */
function coordinatesOf(plan: RoundPlan, size: number): Uint32Array | undefined {
  if (plan.sharedCoordinates === undefined || plan.sharedCoordinatesSeed === undefined) return undefined;
  return sharedIndices(plan.sharedCoordinatesSeed, size, plan.sharedCoordinates);
}

/** One contributor's numbers, with its id. */
export interface ContributionFrom {
  readonly client: number;
  readonly contribution: ClientContribution;
  /** Its reported training loss and example count (for the plain-FedAvg loss curve). */
  readonly loss?: number;
  readonly numExamples?: number;
}

/**
 * Refuses one client's contribution of the wrong length or with a non-finite value, weight or
 * indicator: called per client, so that one bad update drops one client, never the round.
 */
export function checkContribution(fn: string, client: number, contribution: ClientContribution, size: number): void {
  const v = contribution.values;
  if (!(v instanceof Float32Array) || v.length !== size) invalid(fn, `contribution of client ${client}`, v?.length, `a Float32Array of ${size} values`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i] as number)) invalid(fn, `contribution of client ${client} [${i}]`, v[i], 'a finite number');
  }
  if (!Number.isFinite(contribution.weight) || contribution.weight < 0) invalid(fn, `weight of client ${client}`, contribution.weight, 'a finite number >= 0');
  if (!Number.isFinite(contribution.indicator)) invalid(fn, `indicator of client ${client}`, contribution.indicator, 'a finite number');
}

/** The plain (server-visible) sum of dense contributions, each already {@link checkContribution}ed, in float64. */
export function sumContributions(contributions: readonly ContributionFrom[], selected: readonly number[], size: number): RoundAggregate {
  const sum = new Float64Array(size);
  let totalWeight = 0;
  let indicatorSum = 0;
  let lossSum = 0;
  let lossWeight = 0;
  for (const { contribution, loss, numExamples } of contributions) {
    const v = contribution.values;
    for (let i = 0; i < size; i++) sum[i] = (sum[i] as number) + (v[i] as number);
    totalWeight += contribution.weight;
    indicatorSum += contribution.indicator;
    if (loss !== undefined && numExamples !== undefined && Number.isFinite(loss)) {
      lossSum += loss * numExamples;
      lossWeight += numExamples;
    }
  }
  return {
    sum, totalWeight, indicatorSum,
    contributors: contributions.map((c) => c.client).sort((a, b) => a - b),
    selected: [...selected],
    ...(lossWeight > 0 ? { trainLoss: lossSum / lossWeight } : {}),
  };
}

/** The aggregate from secure aggregation's modular sum of `[values..., weight, indicator]` encodings. */
export function aggregateFromSecureSum(sum: Uint32Array, contributors: readonly number[], selected: readonly number[], plan: RoundPlan, size: number): RoundAggregate {
  const fp = plan.fixedPoint;
  if (fp === undefined) invalid('aggregateFromSecureSum', 'plan.fixedPoint', fp, 'a fixed-point plan');
  const coords = coordinatesOf(plan, size);
  const n = coords?.length ?? size;
  if (sum.length !== n + 2) invalid('aggregateFromSecureSum', 'sum.length', sum.length, `${n + 2} (the sent coordinates, the weight and the indicator)`);
  const decoded = decodeFixedPointSum(sum, { scale: fp.scale });
  const full = new Float64Array(size);
  if (coords === undefined) full.set(decoded.subarray(0, size));
  else for (let k = 0; k < coords.length; k++) full[coords[k] as number] = decoded[k] as number;
  return {
    sum: full,
    totalWeight: decoded[n] as number,
    indicatorSum: decoded[n + 1] as number,
    contributors: [...contributors].sort((a, b) => a - b),
    selected: [...selected],
  };
}
