/**
 * Square's random search (internal): per row, propose a change inside a random window, query the
 * model once, keep the proposal when the loss strictly decreases or the row becomes
 * misclassified, and stop a row once its margin is <= 0. Only the rows still searching are
 * queried: the state holds those rows only and is compacted whenever some stop.
 */
import { betweenSteps } from '../../core/eventLoop.js';
import { tensorSeed } from '../../core/rng.js';
import {
  add, cast, clone, concat, dispose, gather, less, lessEqual, logicalAnd, logicalOr, reshape, tensor1d, tidy, where,
  type Tensor, type Tensor1D,
} from '../../core/tf.js';
import type { AttackContext } from '../context.js';
import { classCount, labelIndices } from '../scores.js';
import { imageShape, squareGeometry, type SquareGeometry } from './geometry.js';
import { l2Proposal, l2Start, type WindowPatterns } from './l2.js';
import { linfProposal, linfStripes } from './linf.js';
import { query } from './objective.js';
import { splitPattern, startTiles } from './patterns.js';
import { selectPerExample } from '../steps.js';
import { windowFraction, windowSides } from './schedule.js';
import type { SquareSettings } from './settings.js';

/** What every run shares: the problem, in the attack's image layout. */
interface Problem {
  readonly ctx: AttackContext;
  readonly s: SquareSettings;
  readonly g: SquareGeometry;
  /** The model's input shape without the batch. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** All rows as `[batch, h, w, c]`. */
  readonly x4: Tensor;
  /** All labels (or targets) as int32 class indices. */
  readonly labels: Tensor1D;
  /** Window patterns (L2) by size, built on first use. */
  readonly patterns: Map<string, WindowPatterns>;
}

/** The rows a run is still searching, and their state (every tensor has one entry per row). */
interface Search {
  readonly rows: readonly number[];
  readonly x: Tensor;
  readonly labels: Tensor1D;
  readonly best: Tensor;
  readonly margin: Tensor1D;
  readonly loss: Tensor1D;
}

/** Broken rows: their indices, and their adversarial images in chunks (in the same order). */
interface Found {
  readonly rows: number[];
  readonly images: Tensor[];
}

function disposeSearch(st: Search | undefined): void {
  if (st !== undefined) dispose([st.x, st.labels, st.best, st.margin, st.loss]);
}

/**
 * Per row, int32: 0 while searching, 1 when stopped (margin <= 0) without fooling the model's
 * prediction (a tie decided for the label; such rows stay robust), 2 when stopped and fooled.
 */
function status(margin: Tensor1D, fooled: Tensor1D): Tensor1D {
  const stopped = lessEqual(margin, 0);
  return add(cast(stopped, 'int32'), cast(logicalAnd(stopped, fooled), 'int32')) as Tensor1D;
}

/**
 * Reads a status vector: records fooled rows in `found`, robust stopped rows in `retry`, and
 * returns the state of the rows still searching (undefined when none is left). Disposes `code`,
 * and `st` when it is replaced.
 */
async function settle(st: Search, code: Tensor, found: Found, retry: number[]): Promise<Search | undefined> {
  const values = await code.data();
  code.dispose();
  const keep: number[] = [];
  const fooled: number[] = [];
  values.forEach((v, j) => {
    if (v === 0) keep.push(j);
    else if (v === 2) fooled.push(j);
    else retry.push(st.rows[j] as number);
  });
  if (keep.length === st.rows.length) return st;
  if (fooled.length > 0) {
    found.images.push(tidy(() => gather(st.best, tensor1d(fooled, 'int32'))));
    for (const j of fooled) found.rows.push(st.rows[j] as number);
  }
  if (keep.length === 0) {
    disposeSearch(st);
    return undefined;
  }
  const [x, labels, best, margin, loss] = tidy(() => {
    const k = tensor1d(keep, 'int32');
    return [st.x, st.labels, st.best, st.margin, st.loss].map((t) => gather(t, k));
  }) as [Tensor, Tensor1D, Tensor, Tensor1D, Tensor1D];
  disposeSearch(st);
  return { rows: keep.map((j) => st.rows[j] as number), x, labels, best, margin, loss };
}

function windowPatterns(pb: Problem, sides: readonly [number, number]): WindowPatterns {
  const key = `${sides[0]}x${sides[1]}`;
  let p = pb.patterns.get(key);
  if (p === undefined) {
    p = { alongRows: splitPattern(sides[0], sides[1], true), alongColumns: splitPattern(sides[0], sides[1], false) };
    pb.patterns.set(key, p);
  }
  return p;
}

/** The random start and its query: the first state and its status. */
function start(pb: Problem, rows: readonly number[]): { st: Search; code: Tensor1D } {
  const { ctx, s, g } = pb;
  const seed = tensorSeed(s.rng);
  const tiles = s.norm === 'l2' ? startTiles(g) : undefined;
  const [x, labels, best, margin, loss, code] = tidy(() => {
    const idx = tensor1d(rows as number[], 'int32');
    const x = gather(pb.x4, idx);
    const labels = gather(pb.labels, idx) as Tensor1D;
    const best = tiles === undefined
      ? linfStripes(x, s.epsilon, ctx.clipMin, ctx.clipMax, seed)
      : l2Start(x, s.epsilon, ctx.clipMin, ctx.clipMax, tiles, g, seed);
    const q = query(ctx, best, pb.inputShape, labels, pb.classes, s.loss);
    return [x, labels, best, q.margin, q.loss, status(q.margin, q.fooled)];
  }) as [Tensor, Tensor1D, Tensor, Tensor1D, Tensor1D, Tensor1D];
  return { st: { rows, x, labels, best, margin, loss }, code };
}

/** What an iteration changes: the kept images, margins and losses, and the status. */
interface Update {
  readonly best: Tensor;
  readonly margin: Tensor1D;
  readonly loss: Tensor1D;
  readonly code: Tensor1D;
}

/** One iteration: propose, query, accept or reject per row (on the device). */
function iterate(pb: Problem, st: Search, i: number): Update {
  const { ctx, s, g } = pb;
  const sides = windowSides(windowFraction(i, s.queries, s.pInit, s.rescaleSchedule), g, s.norm);
  const patterns = s.norm === 'l2' ? windowPatterns(pb, sides) : undefined;
  const seed = tensorSeed(s.rng);
  const [best, margin, loss, code] = tidy(() => {
    const { clipMin: lo, clipMax: hi } = ctx;
    const candidate = patterns === undefined
      ? linfProposal(st.x, st.best, s.epsilon, lo, hi, sides, g, s.windowPositions, seed)
      : l2Proposal(st.x, st.best, s.epsilon, lo, hi, sides, patterns, g, s.windowPositions, seed);
    const q = query(ctx, candidate, pb.inputShape, st.labels, pb.classes, s.loss);
    // torchattacks: the loss record follows strict improvements; image and margin also follow
    // proposals that misclassify.
    const improved = less(q.loss, st.loss);
    const accept = logicalOr(improved, lessEqual(q.margin, 0));
    const margin = where(accept, q.margin, st.margin) as Tensor1D;
    return [
      selectPerExample(accept, candidate, st.best),
      margin,
      where(improved, q.loss, st.loss),
      status(margin, logicalAnd(accept, q.fooled) as Tensor1D),
    ];
  }) as [Tensor, Tensor1D, Tensor1D, Tensor1D];
  return { best, margin, loss, code };
}

/**
 * One run (a restart) on `rows`: the start, then up to `queries - 1` iterations. Records fooled
 * rows in `found`; returns the rows that stay robust.
 */
async function run(pb: Problem, rows: readonly number[], found: Found): Promise<number[]> {
  const retry: number[] = [];
  let st: Search | undefined;
  let code: Tensor | undefined;
  try {
    ({ st, code } = start(pb, rows));
    for (let i = 0; ; i++) {
      const c: Tensor = code;
      code = undefined;
      st = await settle(st, c, found, retry);
      if (st === undefined || i >= pb.s.queries - 1) break;
      await betweenSteps(pb.ctx.fn, pb.ctx.signal);
      const u = iterate(pb, st, i);
      dispose([st.best, st.margin, st.loss]);
      st = { ...st, best: u.best, margin: u.margin, loss: u.loss };
      code = u.code;
    }
    if (st !== undefined) retry.push(...st.rows);
    return retry;
  } finally {
    disposeSearch(st);
    code?.dispose();
  }
}

/** Rows the model classifies as their label (untargeted) or not yet as their target. */
async function robustRows(pb: Problem): Promise<number[]> {
  const fooled = tidy(() => query(pb.ctx, pb.x4, pb.inputShape, pb.labels, pb.classes, pb.s.loss).fooled);
  const values = await fooled.data();
  fooled.dispose();
  const rows: number[] = [];
  values.forEach((v, i) => {
    if (v === 0) rows.push(i);
  });
  return rows;
}

/**
 * Square on a validated problem (internal): the clean query, then `restarts` runs on the rows
 * still robust. Rows never broken come back as `x`. @returns A caller-owned tensor of x's shape.
 */
export async function squareCore(ctx: AttackContext, x: Tensor, s: SquareSettings): Promise<Tensor> {
  if (s.epsilon === 0) return clone(x);
  const g = squareGeometry(ctx.fn, x);
  const batch = x.shape[0] as number;
  const found: Found = { rows: [], images: [] };
  const pb: Problem = {
    ctx, s, g, inputShape: x.shape.slice(1), classes: classCount(ctx),
    x4: reshape(x, imageShape(batch, g)), labels: labelIndices(ctx), patterns: new Map(),
  };
  try {
    let rows = await robustRows(pb);
    for (let r = 0; r < s.restarts && rows.length > 0; r++) {
      if (r > 0) await betweenSteps(ctx.fn, ctx.signal);
      rows = await run(pb, rows, found);
    }
    if (found.rows.length === 0) return clone(x);
    // Row i of the result is row `source[i]` of [x; broken images].
    const source = new Int32Array(batch).map((_, i) => i);
    found.rows.forEach((row, k) => {
      source[row] = batch + k;
    });
    return tidy(() => reshape(gather(concat([pb.x4, ...found.images]), tensor1d(source, 'int32')), x.shape));
  } finally {
    dispose([pb.x4, pb.labels, ...found.images]);
  }
}
