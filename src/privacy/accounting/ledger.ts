/**
 * Run-length history shared by the accountants (internal): consecutive identical events are
 * merged into one segment `{ event, key, count }`, so a million identical steps cost one segment.
 *
 * The history lives in ECMAScript private fields (`#segments`, `#version`), not TypeScript-only
 * `private` members: code outside the class, JavaScript included, cannot rewrite what was spent.
 * Subclasses read it through {@link LedgerAccountant.history}, which hands out frozen copies.
 */
import { nonNegativeInteger, numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';
import { UnsupportedEventError } from '../errors.js';
import type { AccountantKind, DpSgdStep, PrivacyAccountant } from './accountant.js';
import { assertEvent } from './assertEvent.js';
import type { DpEvent } from './dpEvent.js';

/** One run of identical events. */
export interface Segment {
  readonly event: DpEvent;
  readonly key: string;
  readonly count: number;
}

/** Whether a value is a well-formed {@link DpEvent} (never throws: cycles and throwing getters count as malformed). */
export function isWellFormedEvent(value: unknown): value is DpEvent {
  try {
    assertEvent('supports', 'event', value);
    return true;
  } catch {
    return false;
  }
}

/** Base of the accountants: validation, run-length ledger, cloning (internal). */
export abstract class LedgerAccountant {
  #segments: { event: DpEvent; key: string; count: number }[] = [];
  /** Increments on every change; subclasses cache derived state against it. */
  #version = 0;
  abstract readonly kind: AccountantKind;
  /**
   * The class's public name for error messages, written out as a static string: a name read
   * from the class at run time is renamed by bundlers (`_RdpAccountant`).
   * @internal
   */
  protected abstract readonly className: string;
  /** @internal Why a well-formed event is not supported (undefined when it is). */
  protected abstract unsupportedReason(event: DpEvent): string | undefined;
  /** @internal */
  protected abstract epsilonOf(delta: number): number;
  /** @internal */
  protected abstract deltaOf(epsilon: number): number;
  abstract clone(): PrivacyAccountant;

  /**
   * Whether {@link PrivacyAccountant.compose} accepts the event. Never throws: a malformed value
   * (unknown kind, missing fields, null, undefined) gives false.
   */
  supports(event: DpEvent): boolean {
    return isWellFormedEvent(event) && this.unsupportedReason(event) === undefined;
  }

  step(params: DpSgdStep, steps = 1): this {
    const fn = `${this.className}.step`;
    const p = optionsObject(fn, 'params', params);
    positiveNumber(fn, 'params.noiseMultiplier', p.noiseMultiplier);
    numberInRange(fn, 'params.sampleRate', p.sampleRate, { min: 0, max: 1 });
    nonNegativeInteger(fn, 'steps', steps);
    const event: DpEvent = {
      kind: 'poissonSampled',
      sampleRate: p.sampleRate,
      event: { kind: 'gaussian', noiseMultiplier: p.noiseMultiplier },
    };
    const reason = this.unsupportedReason(event);
    if (reason !== undefined) throw new UnsupportedEventError(fn, event.kind, reason);
    this.#append(event, steps);
    return this;
  }

  compose(event: DpEvent, count = 1): this {
    const fn = `${this.className}.compose`;
    assertEvent(fn, 'event', event);
    nonNegativeInteger(fn, 'count', count);
    const reason = this.unsupportedReason(event);
    if (reason !== undefined) throw new UnsupportedEventError(fn, event.kind, reason);
    this.#append(event, count);
    return this;
  }

  getEpsilon(delta: number): number {
    numberInRange(`${this.className}.getEpsilon`, 'delta', delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
    if (this.#segments.length === 0) return 0;
    return this.epsilonOf(delta);
  }

  getDelta(epsilon: number): number {
    const fn = `${this.className}.getDelta`;
    if (typeof epsilon !== 'number' || Number.isNaN(epsilon) || epsilon < 0) {
      numberInRange(fn, 'epsilon', epsilon, { min: 0, max: Infinity });
    }
    if (this.#segments.length === 0) return 0;
    return this.deltaOf(epsilon);
  }

  get ledger(): DpEvent {
    return {
      kind: 'composed',
      events: this.#segments.map((s) => (s.count === 1 ? s.event : { kind: 'selfComposed', event: s.event, count: s.count })),
    };
  }

  /** Number of run-length segments in the history (not a number of steps). */
  get segmentCount(): number {
    return this.#segments.length;
  }

  /** @internal The history as frozen copies of its segments. */
  protected history(): readonly Segment[] {
    return this.#segments.map((s) => Object.freeze({ event: s.event, key: s.key, count: s.count }));
  }

  /** @internal Changes whenever the history does (and on clone). */
  protected get historyVersion(): number {
    return this.#version;
  }

  /** @internal Gives `other` a copy of this history. */
  protected copyLedgerInto(other: LedgerAccountant): void {
    other.#segments = this.#segments.map((s) => ({ ...s }));
    other.#version = this.#version + 1;
  }

  #append(event: DpEvent, count: number): void {
    if (count === 0) return; // nothing happened: no cost, no segment
    // JSON drops Infinity (a repeat-and-select shape): spell non-finite numbers out in the key.
    const key = JSON.stringify(event, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${v}` : v));
    const last = this.#segments[this.#segments.length - 1];
    if (last !== undefined && last.key === key && Number.isSafeInteger(last.count + count)) last.count += count;
    // A frozen copy: mutating the caller's object afterwards must not rewrite the history.
    else this.#segments.push({ event: deepFreeze(copyEvent(event)), key, count });
    this.#version++;
  }
}

/** A deep copy of a (validated, hence acyclic) event: plain objects, arrays and primitives only. */
function copyEvent<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyEvent) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copyEvent(v);
    return out as T;
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
