/**
 * FAB's projections onto a hyperplane inside a box, checked against an independent float64
 * solution: the minimal L-inf (or L2) step solves a one-dimensional monotone equation in the radius
 * λ (or the step length α), found here by bisection in plain JS. Rows mix ties (coordinates at the
 * bounds), zero weights, infeasible hyperplanes and points already on the far side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { seededRng, type Rng } from '../../src/core/index.js';
import { projectL2, projectLinf } from '../../src/robustness/fab/projections.js';
import { describeBackends } from '../helpers/backends.js';

const ROWS = 60;
const FEATURES = 24;

interface Problem {
  t: number[][];
  w: number[][];
  b: number[];
}

/** Random rows: a third of the coordinates on a bound, a sixth of the weights zero, offsets spread so some rows are infeasible. */
function problem(rng: Rng, lo: number, hi: number): Problem {
  const t: number[][] = [];
  const w: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    const ti: number[] = [];
    const wi: number[] = [];
    for (let j = 0; j < FEATURES; j++) {
      const u = rng.next();
      ti.push(Math.fround(u < 0.17 ? lo : u < 0.33 ? hi : lo + (hi - lo) * rng.next()));
      wi.push(Math.fround(rng.next() < 0.17 ? 0 : (rng.next() - 0.5) * 4));
    }
    const wt = wi.reduce((s, wj, j) => s + wj * ti[j]!, 0);
    // Distance to the hyperplane in units of ||w||_1 (bounded by the box); large offsets are infeasible.
    const l1 = wi.reduce((s, wj) => s + Math.abs(wj), 0);
    b.push(Math.fround(wt + (rng.next() - 0.5) * l1 * (hi - lo) * (i % 5 === 0 ? 2.5 : 0.8)));
    t.push(ti);
    w.push(wi);
  }
  return { t, w, b };
}

/** Bisection for the root of a non-decreasing function on [0, hi]. */
function root(f: (v: number) => number, hi: number): number {
  let a = 0;
  let z = hi;
  for (let k = 0; k < 200; k++) {
    const m = (a + z) / 2;
    if (f(m) < 0) a = m;
    else z = m;
  }
  return (a + z) / 2;
}

/** Exact minimal steps in float64: L-inf moves each coordinate by min(λ, its room) towards the bound lowering w·z. */
function linfReference(t: number[], w: number[], b: number, lo: number, hi: number): number[] {
  const sign = w.reduce((s, wj, j) => s + wj * t[j]!, 0) - b >= 0 ? 1 : -1;
  const ws = w.map((v) => v * sign);
  const c = (w.reduce((s, wj, j) => s + wj * t[j]!, 0) - b) * sign;
  const room = ws.map((v, j) => (v < 0 ? hi - t[j]! : t[j]! - lo));
  const drop = (lambda: number): number => ws.reduce((s, v, j) => s + Math.abs(v) * Math.min(lambda, room[j]!), 0);
  const full = drop(Infinity);
  const lambda = full < c ? Infinity : root((l) => drop(l) - c, hi - lo);
  return ws.map((v, j) => (v === 0 ? 0 : (v < 0 ? 1 : -1) * Math.min(lambda, room[j]!)));
}

/** L2: the step -α w, each coordinate stopping at its bound (α = r_j). */
function l2Reference(t: number[], w: number[], b: number, lo: number, hi: number): number[] {
  const sign = w.reduce((s, wj, j) => s + wj * t[j]!, 0) - b >= 0 ? 1 : -1;
  const ws = w.map((v) => v * sign);
  const c = (w.reduce((s, wj, j) => s + wj * t[j]!, 0) - b) * sign;
  const r = ws.map((v, j) => (v === 0 ? Infinity : Math.max((t[j]! - lo) / v, (t[j]! - hi) / v)));
  const drop = (alpha: number): number => ws.reduce((s, v, j) => s + v * v * Math.min(alpha, r[j]!), 0);
  const full = drop(Infinity);
  const rMax = Math.max(...r.filter(Number.isFinite), 0);
  const alpha = full < c ? Infinity : root((a) => drop(a) - c, Math.max(rMax, c / ws.reduce((s, v) => s + v * v, 0)) * 2 + 1);
  return ws.map((v, j) => (v === 0 ? 0 : -Math.min(alpha, r[j]!) * v));
}

describeBackends('FAB projections', () => {
  for (const [lo, hi] of [[0, 1], [-1, 2]] as const) {
    for (const norm of ['linf', 'l2'] as const) {
      it(`${norm} onto a hyperplane in [${lo}, ${hi}]`, async () => {
        const { t, w, b } = problem(seededRng(`${norm}${lo}`), lo, hi);
        const project = norm === 'linf' ? projectLinf : projectL2;
        const reference = norm === 'linf' ? linfReference : l2Reference;
        const dT = tf.tidy(() => project(tf.tensor2d(t), tf.tensor2d(w), tf.tensor1d(b), lo, hi));
        const d = await dT.array();
        dT.dispose();
        let feasible = 0;
        for (let i = 0; i < ROWS; i++) {
          const want = reference(t[i]!, w[i]!, b[i]!, lo, hi);
          const scale = Math.max(1e-3, ...want.map(Math.abs));
          for (let j = 0; j < FEATURES; j++) {
            const z = t[i]![j]! + d[i]![j]!;
            expect(z, `row ${i}`).toBeGreaterThanOrEqual(lo - 1e-6);
            expect(z, `row ${i}`).toBeLessThanOrEqual(hi + 1e-6);
            expect(Math.abs(d[i]![j]! - want[j]!), `row ${i} coordinate ${j}`).toBeLessThanOrEqual(2e-5 * scale);
          }
          const after = w[i]!.reduce((s, wj, j) => s + wj * (t[i]![j]! + d[i]![j]!), 0) - b[i]!;
          const before = w[i]!.reduce((s, wj, j) => s + wj * t[i]![j]!, 0) - b[i]!;
          const wl1 = w[i]!.reduce((s, wj) => s + Math.abs(wj), 0);
          if (Math.abs(after) <= 1e-4 * wl1 * (hi - lo)) feasible++;
          else expect(Math.sign(after), `row ${i} stays on its side when infeasible`).toBe(Math.sign(before));
        }
        // Most rows reach the hyperplane; every fifth row is pushed far enough to be infeasible.
        expect(feasible).toBeGreaterThanOrEqual(ROWS / 2);
        expect(feasible).toBeLessThan(ROWS);
      });
    }
  }
});
