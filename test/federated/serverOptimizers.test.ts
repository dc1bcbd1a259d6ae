import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/federated/algorithms/server_optimizers.json';
import { serverOptimizer, type ServerOptimizerOptions } from '../../src/federated/algorithms/serverOptimizer.js';
import { serverOptimizerStateFromJson, serverOptimizerStateToJson, type ServerOptimizerState } from '../../src/federated/algorithms/serverOptimizerState.js';
import { seededRng } from '../../src/core/rng.js';
import { expectInvalidArgument } from '../helpers/errors.js';

interface Case { name: string; source: 'flower' | 'paper'; kind: ServerOptimizerOptions['kind']; eta: number; beta1: number; beta2: number; tau: number; v0?: number; weights: number[][] }

/** Runs an optimizer over the fixture's deltas; returns the weights after each round. */
function run(options: ServerOptimizerOptions, startRound = 0): number[][] {
  const opt = serverOptimizer(options);
  let state: ServerOptimizerState = { ...opt.init(fixture.initialWeights.length), round: startRound };
  let weights: Float32Array = Float32Array.from(fixture.initialWeights);
  const out: number[][] = [];
  for (const d of fixture.deltas) {
    ({ weights, state } = opt.apply(state, weights, Float32Array.from(d)));
    out.push(Array.from(weights));
  }
  return out;
}

function expectClose(got: number[][], want: number[][], rel: number): void {
  got.forEach((row, r) => row.forEach((v, i) => {
    const w = want[r]![i]!;
    expect(Math.abs(v - w), `round ${r + 1}, weight ${i}: ${v} vs ${w}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(w)));
  }));
}

const cases = fixture.cases as Case[];
const caseNamed = (name: string): Case => cases.find((c) => c.name === name)!;

describe('serverOptimizer against Flower, TFF and Reddi et al. 2021 (fixture: generate_server_optimizers.py)', () => {
  it('FedYogi and FedAdagrad equal Flower (which follows the paper for them)', () => {
    for (const name of ['flower fedYogi', 'flower fedAdagrad']) {
      const c = caseNamed(name);
      expectClose(run({ kind: c.kind, learningRate: c.eta, beta1: c.beta1, ...(c.kind === 'fedYogi' ? { beta2: c.beta2 } : {}), tau: c.tau }), c.weights, 1e-6);
    }
    // FedAdagrad's default beta1 is Flower's 0.
    const c = caseNamed('flower fedAdagrad');
    expectClose(run({ kind: 'fedAdagrad', learningRate: c.eta }), c.weights, 1e-6);
  });

  it('FedAdam by default is the paper (no bias correction)', () => {
    const c = caseNamed('paper fedAdam');
    expectClose(run({ kind: 'fedAdam', learningRate: c.eta }), c.weights, 1e-6);
  });

  it("FedAdam with biasCorrection reproduces Flower's, whose correction runs one round ahead", () => {
    const c = caseNamed('flower fedAdam');
    // Flower corrects with t + 1 at round t: a state whose counter starts at 1 matches it exactly.
    expectClose(run({ kind: 'fedAdam', learningRate: c.eta, biasCorrection: true }, 1), c.weights, 1e-6);
    // With the standard t the first steps differ visibly.
    const standard = run({ kind: 'fedAdam', learningRate: c.eta, biasCorrection: true });
    expect(Math.abs(standard[0]![0]! - c.weights[0]![0]!)).toBeGreaterThan(1e-3);
  });

  it("FedAdam with biasCorrection is TFF's server Adam (build_adam: step t = 1, 2, ...; gradient = -delta)", () => {
    const c = caseNamed('tff fedAdam');
    expectClose(run({ kind: 'fedAdam', learningRate: c.eta, beta1: c.beta1, beta2: c.beta2, tau: c.tau, biasCorrection: true }), c.weights, 1e-6);
  });

  it("Yogi with the paper's v0 = tau^2, and Adagrad with momentum (paper's Algorithm 2)", () => {
    const y = caseNamed('paper fedYogi, v0 = tau^2');
    expectClose(run({ kind: 'fedYogi', learningRate: y.eta, tau: y.tau, initialAccumulator: y.v0! }), y.weights, 1e-6);
    const a = caseNamed('paper fedAdagrad with momentum');
    expectClose(run({ kind: 'fedAdagrad', learningRate: a.eta, beta1: 0.9 }), a.weights, 1e-6);
  });

  it('fedAvg adds learningRate * meanDelta (default 1)', () => {
    const opt = serverOptimizer({ kind: 'fedAvg' });
    const s0 = opt.init(2);
    const { weights, state } = opt.apply(s0, new Float32Array([1, 2]), new Float32Array([0.5, -1]));
    expect(Array.from(weights)).toEqual([1.5, 1]);
    expect(state).toEqual({ kind: 'fedAvg', round: 1, size: 2 });
    expect(Array.from(serverOptimizer({ kind: 'fedAvg', learningRate: 0.5 }).apply(s0, new Float32Array([1, 2]), new Float32Array([0.5, -1])).weights)).toEqual([1.25, 1.5]);
  });

  it('is pure: inputs and the previous state are untouched', () => {
    const opt = serverOptimizer({ kind: 'fedYogi', learningRate: 0.01 });
    const s0 = opt.init(3);
    const w = new Float32Array([1, 2, 3]);
    const d = new Float32Array([0.1, -0.2, 0.3]);
    const r = opt.apply(s0, w, d);
    expect(Array.from(w)).toEqual([1, 2, 3]);
    expect(Array.from(d)).toEqual([Math.fround(0.1), Math.fround(-0.2), Math.fround(0.3)]);
    expect(Array.from(s0.m!)).toEqual([0, 0, 0]);
    expect(r.state.round).toBe(1);
    expect(r.weights).not.toBe(w);
  });

  it('state JSON round trip is exact, and resuming from it continues identically', () => {
    const rng = seededRng(4);
    for (const kind of ['fedAvg', 'fedAdam', 'fedYogi', 'fedAdagrad'] as const) {
      const opt = serverOptimizer(kind === 'fedAvg' ? { kind } : { kind, learningRate: 0.05 });
      let state = opt.init(33);
      let w: Float32Array = Float32Array.from({ length: 33 }, () => rng.next());
      const deltas = Array.from({ length: 4 }, () => Float32Array.from({ length: 33 }, () => (rng.next() - 0.5) * 1e-3));
      ({ weights: w, state } = opt.apply(state, w, deltas[0]!));
      const restored = serverOptimizerStateFromJson(JSON.parse(JSON.stringify(serverOptimizerStateToJson(state))));
      expect(restored).toEqual(state);
      if (kind !== 'fedAvg') expect(restored.m!.buffer).not.toBe(state.m!.buffer);
      let a: { weights: Float32Array; state: ServerOptimizerState } = { weights: w, state };
      let b: { weights: Float32Array; state: ServerOptimizerState } = { weights: w, state: restored };
      for (const d of deltas.slice(1)) {
        a = opt.apply(a.state, a.weights, d);
        b = opt.apply(b.state, b.weights, d);
      }
      expect(b).toEqual(a);
    }
  });

  it('handles extreme finite deltas: 1e19 steps stay finite, 1e-45 steps are tiny but exact', () => {
    for (const kind of ['fedAdam', 'fedYogi', 'fedAdagrad'] as const) {
      const opt = serverOptimizer({ kind, learningRate: 0.1 });
      const big = opt.apply(opt.init(2), new Float32Array([0, 0]), new Float32Array([1e19, -1e19]));
      expect(big.weights.every(Number.isFinite)).toBe(true);
      expect(big.weights[0]).toBeGreaterThan(0);
      expect(big.weights[1]).toBeLessThan(0);
      const tiny = opt.apply(opt.init(1), new Float32Array([1]), new Float32Array([1.401298464324817e-45]));
      expect(tiny.weights[0]).toBe(1);
    }
  });

  it('keeps float32 extremes and tiny values exact through JSON', () => {
    const m = new Float32Array([3.4028234663852886e38, -1.401298464324817e-45, -0, 1e-38]);
    const state: ServerOptimizerState = { kind: 'fedAdam', round: 7, size: 4, m, v: new Float32Array([0, 1, 2, 3]) };
    const back = serverOptimizerStateFromJson(JSON.parse(JSON.stringify(serverOptimizerStateToJson(state))));
    expect(Array.from(back.m!)).toEqual(Array.from(m));
    expect(Object.is(back.m![2], -0)).toBe(true);
  });

  it('refuses bad options, states and inputs', () => {
    const f = 'serverOptimizer';
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedSgd' as 'fedAvg' }), f, 'options.kind', /one of/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedAdam' }), f, 'options.learningRate', /required/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedAdam', learningRate: 0 }), f, 'options.learningRate', /> 0/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedAdam', learningRate: 1, beta1: 1 }), f, 'options.beta1', /\[0, 1\)/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedYogi', learningRate: 1, beta2: -0.1 }), f, 'options.beta2', /\[0, 1\)/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedYogi', learningRate: 1, tau: 0 }), f, 'options.tau', /> 0/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedYogi', learningRate: 1, biasCorrection: true }), f, 'options.biasCorrection', /fedAdam/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedAvg', tau: 1 }), f, 'options.tau', /fedAvg/);
    expectInvalidArgument(() => serverOptimizer({ kind: 'fedAdagrad', learningRate: 1, beta2: 0.9 }), f, 'options.beta2', /fedAdagrad/);
    expectInvalidArgument(() => serverOptimizer(undefined as never), f, 'options', /kind/);
    const opt = serverOptimizer({ kind: 'fedAdam', learningRate: 0.1 });
    expectInvalidArgument(() => opt.init(0), 'serverOptimizer.init', 'size', /integer >= 1/);
    const s = opt.init(2);
    expectInvalidArgument(() => opt.apply(s, new Float32Array(3), new Float32Array(2)), 'serverOptimizer.apply', 'weights', /length 2/);
    expectInvalidArgument(() => opt.apply(s, new Float32Array(2), new Float32Array([0, Number.NaN])), 'serverOptimizer.apply', 'meanDelta[1]', /finite/);
    expectInvalidArgument(() => opt.apply(serverOptimizer({ kind: 'fedYogi', learningRate: 1 }).init(2), new Float32Array(2), new Float32Array(2)), 'serverOptimizer.apply', 'state.kind', /fedAdam/);
    // A delta whose square overflows float32 makes v infinite: refused, not written.
    expectInvalidArgument(() => opt.apply(s, new Float32Array(2), new Float32Array([3e38, 0])), 'serverOptimizer.apply', 'meanDelta[0]', /finite/);
    const j = serverOptimizerStateToJson(s);
    const g = 'serverOptimizerStateFromJson';
    expectInvalidArgument(() => serverOptimizerStateFromJson({ ...j, format: 'x' }), g, 'json.format', /server-optimizer-state/);
    expectInvalidArgument(() => serverOptimizerStateFromJson({ ...j, version: 2 }), g, 'json.version', /1/);
    expectInvalidArgument(() => serverOptimizerStateFromJson({ ...j, round: -1 }), g, 'json.round', />= 0/);
    expectInvalidArgument(() => serverOptimizerStateFromJson({ ...j, m: 'AAAA' }), g, 'json.m', /base64 of 2/);
    expectInvalidArgument(() => serverOptimizerStateFromJson({ ...j, v: '!!!!!!!!!!!!' }), g, 'json.v', /base64/);
    expectInvalidArgument(() => serverOptimizerStateFromJson(null), g, 'json', /ServerOptimizerStateJson/);
  });
});
