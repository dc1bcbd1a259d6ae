import type { Rng } from '../../core/rng.js';
import type { Tensor } from '../../core/tf.js';
import type { Attack, AttackNorm, ModelOutput } from '../types.js';

/**
 * The attacks {@link autoAttack} knows by name, as the original AutoAttack names them:
 * `'apgd-ce'` (APGD on the cross-entropy), `'apgd-dlr'` (APGD on the DLR loss), `'apgd-t'`
 * (targeted APGD on the DLR loss over the top classes), `'fab'` and `'fab-t'` (FAB, untargeted and
 * multi-targeted), `'square'` (the score-based black-box Square attack).
 */
export type AutoAttackName = 'apgd-ce' | 'apgd-dlr' | 'apgd-t' | 'fab' | 'fab-t' | 'square';

/**
 * A preset chain of attacks, as in the original AutoAttack (Croce & Hein 2020):
 * - `'standard'`: APGD-CE, APGD-T (9 target classes), FAB-T (9 target classes), Square (5,000
 *   queries), one restart each, 100 iterations for the gradient attacks;
 * - `'plus'`: APGD-CE and APGD-DLR with 5 restarts, FAB with 5 restarts, Square (5,000 queries),
 *   APGD-T and FAB-T;
 * - `'rand'`: APGD-CE and APGD-DLR with expectation over transformation (20 gradient samples per
 *   step), for models with randomness at inference.
 */
export type AutoAttackVersion = 'standard' | 'plus' | 'rand';

/**
 * An attack of a custom {@link autoAttack} chain that is not one of the named ones: a label for
 * the report and an {@link Attack} that resolves to adversarial inputs. The chain checks what it
 * returns (inside the ball, inside the input range, finite) before it counts a row as broken.
 */
export interface AutoAttackStep {
  readonly name: string;
  readonly attack: Attack;
}

/** Options of {@link autoAttack}. */
export interface AutoAttackOptions {
  /** Radius of the perturbation ball, in input units (>= 0). */
  readonly epsilon: number;
  /** Ball norm. Default `'linf'`. */
  readonly norm?: AttackNorm;
  /**
   * The chain: a preset ({@link AutoAttackVersion}) or a list of named attacks and
   * {@link AutoAttackStep}s, run in order. Default `'standard'`.
   */
  readonly version?: AutoAttackVersion | readonly (AutoAttackName | AutoAttackStep)[];
  /**
   * Iterations of the gradient attacks (APGD, APGD-T, FAB, FAB-T), an integer >= 1. Default 100,
   * as the original AutoAttack. (torchattacks' `AutoAttack` runs them with 10.)
   */
  readonly steps?: number;
  /** Queries of the Square attack per row, an integer >= 1. Default 5000. */
  readonly queries?: number;
  /**
   * Target classes of APGD-T and FAB-T (the top classes of the clean prediction after the
   * predicted one). Default 9, or the number of classes minus one when smaller.
   */
  readonly targetClasses?: number;
  /**
   * Rows attacked together (an integer >= 1). Each attack runs on the rows still robust, in
   * chunks of this size. Default 256. With a seeded `rng`, results depend on it.
   */
  readonly batchSize?: number;
  /** Source of every attack's random starts and searches; seed it (`seededRng`) for reproducible results. Default `Math.random`. */
  readonly rng?: Rng;
  /** Smallest valid input value; inputs must already lie in `[clipMin, clipMax]`. Default 0. */
  readonly clipMin?: number;
  /** Largest valid input value. Default 1. */
  readonly clipMax?: number;
  /** Whether the model returns logits or probabilities. Default: what the model declares. */
  readonly modelOutput?: ModelOutput;
  /** Stops the evaluation (and the running attack) when aborted; rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Called after each attack of the chain with its line of the log. */
  readonly onAttackEnd?: (entry: AutoAttackLogEntry) => void;
}

/** What one attack of the chain did (one line of {@link AutoAttackResult.log}). */
export interface AutoAttackLogEntry {
  /** The attack's name (`'apgd-ce'`, ... or a custom step's name). */
  readonly attack: string;
  /** Rows it attacked: those still robust when it started. */
  readonly attacked: number;
  /** Rows it broke: misclassified on its output, inside the ball, the range, and finite. */
  readonly broken: number;
  /**
   * Rows it returned misclassified but outside the ball, outside the input range or not finite:
   * not counted as broken. Always 0 for the built-in attacks; a custom attack that exceeds its
   * budget shows here.
   */
  readonly rejected: number;
  /** Robust accuracy of the whole batch after this attack. */
  readonly robustAccuracy: number;
  /** Wall-clock time of the attack, in milliseconds. */
  readonly milliseconds: number;
  /** Why the attack did not run (no robust row left, or too few classes), when it did not. */
  readonly skipped?: string;
}

/** Result of {@link autoAttack}. */
export interface AutoAttackResult {
  /**
   * Per row, the first adversarial input that broke it, or the clean input when no attack did
   * (robust rows and rows misclassified to begin with). Caller-owned.
   */
  readonly adversarial: Tensor;
  /** Per row, 1 when the model classifies it correctly and no attack of the chain broke it, else 0. */
  readonly robust: number[];
  /** Per row, 1 when the model classifies the clean input correctly. */
  readonly cleanCorrect: number[];
  /**
   * Per row, the name of the attack that broke it, or null: for robust rows and for rows the
   * model misclassifies without any attack (see `cleanCorrect`).
   */
  readonly brokenBy: (string | null)[];
  /** Fraction of rows classified correctly. */
  readonly cleanAccuracy: number;
  /** Fraction of rows robust: correctly classified and unbroken by every attack of the chain. */
  readonly robustAccuracy: number;
  /** One entry per attack of the chain, in order. */
  readonly log: AutoAttackLogEntry[];
  /** The chain's settings, for the report. */
  readonly settings: { readonly norm: AttackNorm; readonly epsilon: number; readonly version: string };
}
