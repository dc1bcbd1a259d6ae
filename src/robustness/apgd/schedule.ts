/**
 * APGD's checkpoint schedule (internal), as `attack_single_run` of torchattacks 3.5.1 (and the
 * original fra31/auto-attack) computes it: the first check after `max(⌊0.22·steps⌋, 1)` iterations,
 * then every `k` iterations, `k` shrinking by `max(⌊0.03·steps⌋, 1)` per check down to
 * `max(⌊0.06·steps⌋, 1)` (Croce & Hein 2020, Sec. 3.2: p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06)).
 */

/** One check of the step size: after the update of 0-based `iteration`, over the last `window` losses. */
export interface Checkpoint {
  /** 0-based index of the iteration after whose update the check runs. */
  readonly iteration: number;
  /** Number of iterations since the previous check (the oscillation test's window `k`). */
  readonly window: number;
}

/**
 * Every check of a run of `steps` iterations. Python's `int(0.22 * steps)` truncates the double
 * product, which `Math.floor` reproduces for positive values (0.22·100 = 22.000000000000004 → 22).
 */
export function checkpointSchedule(steps: number): Checkpoint[] {
  const first = Math.max(Math.floor(0.22 * steps), 1);
  const smallest = Math.max(Math.floor(0.06 * steps), 1);
  const decrease = Math.max(Math.floor(0.03 * steps), 1);
  const checks: Checkpoint[] = [];
  let window = first;
  for (let next = window - 1; next < steps; next += window) {
    checks.push({ iteration: next, window });
    window = Math.max(window - decrease, smallest);
  }
  return checks;
}
