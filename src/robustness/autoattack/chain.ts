/**
 * The attack chains of AutoAttack (internal): the presets of the original code (fra31/auto-attack,
 * `AutoAttack.set_version`) and the named attacks bound to the chain's settings.
 */
import type { Rng } from '../../core/rng.js';
import { invalid } from '../../core/validate.js';
import { apgd, apgdTargeted } from '../apgd/index.js';
import { fab, fabTargeted } from '../fab/index.js';
import { square } from '../square/index.js';
import type { Attack, AttackNorm, ModelOutput } from '../types.js';
import type { AutoAttackName, AutoAttackStep, AutoAttackVersion } from './types.js';

/** What every attack of a chain shares. */
export interface ChainSettings {
  readonly norm: AttackNorm;
  readonly epsilon: number;
  readonly steps: number;
  readonly queries: number;
  /** Undefined: each attack's default (9, or classes - 1 when fewer). */
  readonly targetClasses: number | undefined;
  readonly rng: Rng;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly modelOutput: ModelOutput;
}

/** A named attack with the preset's restarts and sampling. */
interface NamedEntry {
  readonly name: AutoAttackName;
  readonly restarts?: number;
  readonly eotIterations?: number;
}

/** A chain entry ready to run: its name, the fewest classes it works with, and the attack. */
export interface ChainStep {
  readonly name: string;
  /** DLR needs 3 classes (4 when targeted); the others work from 2. */
  readonly minClasses: number;
  readonly attack: Attack;
}

const NAMES: readonly AutoAttackName[] = ['apgd-ce', 'apgd-dlr', 'apgd-t', 'fab', 'fab-t', 'square'];

/** The presets, as the original AutoAttack sets them (`set_version`). */
const PRESETS: Record<AutoAttackVersion, readonly NamedEntry[]> = {
  standard: [{ name: 'apgd-ce' }, { name: 'apgd-t' }, { name: 'fab-t' }, { name: 'square' }],
  plus: [
    { name: 'apgd-ce', restarts: 5 }, { name: 'apgd-dlr', restarts: 5 }, { name: 'fab', restarts: 5 },
    { name: 'square' }, { name: 'apgd-t' }, { name: 'fab-t' },
  ],
  rand: [{ name: 'apgd-ce', eotIterations: 20 }, { name: 'apgd-dlr', eotIterations: 20 }],
};

function bind(entry: NamedEntry, s: ChainSettings): ChainStep {
  const common = { norm: s.norm, epsilon: s.epsilon, rng: s.rng, clipMin: s.clipMin, clipMax: s.clipMax, modelOutput: s.modelOutput };
  const restarts = entry.restarts ?? 1;
  const targets = s.targetClasses === undefined ? {} : { targetClasses: s.targetClasses };
  switch (entry.name) {
    case 'apgd-ce':
    case 'apgd-dlr': {
      const loss = entry.name === 'apgd-ce' ? 'ce' : 'dlr';
      const eotIterations = entry.eotIterations ?? 1;
      return {
        name: entry.name,
        minClasses: loss === 'dlr' ? 3 : 2,
        attack: (m, x, y, call) => apgd(m, x, y, { ...common, steps: s.steps, loss, restarts, eotIterations, signal: call?.signal }),
      };
    }
    case 'apgd-t':
      return {
        name: entry.name,
        minClasses: 4,
        attack: (m, x, y, call) => apgdTargeted(m, x, y, { ...common, ...targets, steps: s.steps, restarts, signal: call?.signal }),
      };
    case 'fab':
      return { name: entry.name, minClasses: 2, attack: (m, x, y, call) => fab(m, x, y, { ...common, steps: s.steps, restarts, signal: call?.signal }) };
    case 'fab-t':
      return {
        name: entry.name,
        minClasses: 2,
        attack: (m, x, y, call) => fabTargeted(m, x, y, { ...common, ...targets, steps: s.steps, restarts, signal: call?.signal }),
      };
    case 'square':
      return {
        name: entry.name,
        minClasses: 2,
        attack: (m, x, y, call) => square(m, x, y, { ...common, queries: s.queries, restarts, signal: call?.signal }),
      };
  }
}

/** Validates `options.version` and binds its attacks to the chain's settings. */
export function resolveChain(fn: string, version: unknown, s: ChainSettings): { steps: ChainStep[]; label: string } {
  if (typeof version === 'string') {
    if (!Object.hasOwn(PRESETS, version)) invalid(fn, 'options.version', version, `'standard', 'plus', 'rand' or a list of attacks`);
    return { steps: PRESETS[version as AutoAttackVersion].map((e) => bind(e, s)), label: version };
  }
  if (!Array.isArray(version) || version.length === 0) {
    invalid(fn, 'options.version', version, `'standard', 'plus', 'rand' or a non-empty list of attack names and { name, attack } steps`);
  }
  const steps = (version as unknown[]).map((entry, i): ChainStep => {
    if (typeof entry === 'string') {
      if (!NAMES.includes(entry as AutoAttackName)) invalid(fn, `options.version[${i}]`, entry, `one of ${NAMES.map((n) => `'${n}'`).join(', ')}`);
      return bind({ name: entry as AutoAttackName }, s);
    }
    const step = entry as Partial<AutoAttackStep> | null;
    if (typeof step !== 'object' || step === null || typeof step.name !== 'string' || step.name === '' || typeof step.attack !== 'function') {
      invalid(fn, `options.version[${i}]`, entry, 'an attack name or { name: string, attack: (model, x, y, call) => Promise<Tensor> }');
    }
    return { name: step.name, minClasses: 2, attack: step.attack };
  });
  return { steps, label: 'custom' };
}
