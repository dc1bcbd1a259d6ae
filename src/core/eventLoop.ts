/**
 * Cooperative scheduling for long loops (internal): yield to the event loop between steps so a
 * page stays responsive and timers fire, and stop cleanly on an `AbortSignal`.
 */
import { AbortedError } from './errors.js';
import { invalid } from './validate.js';

type Scheduler = (resume: () => void) => void;

function pickScheduler(): Scheduler {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  // Node: setImmediate runs after the poll phase, so due timers fire before the loop resumes.
  if (typeof g.setImmediate === 'function') return (resume) => void g.setImmediate!(resume);
  // Browsers: a message task is not clamped to 4 ms like a nested setTimeout(0).
  if (typeof g.MessageChannel === 'function') {
    return (resume) => {
      const channel = new g.MessageChannel!();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resume();
      };
      channel.port2.postMessage(null);
    };
  }
  return (resume) => void setTimeout(resume, 0);
}

let scheduler: Scheduler | undefined;

/** Resolves on a later turn of the event loop (a macrotask), letting timers, I/O and rendering run. */
export function yieldToEventLoop(): Promise<void> {
  scheduler ??= pickScheduler();
  const s = scheduler;
  return new Promise((resolve) => s(resolve));
}

/** Validates an optional `signal` option: undefined or an `AbortSignal`-like object. */
export function checkSignal(fn: string, argument: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<AbortSignal>;
  if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean') {
    invalid(fn, argument, value, 'an AbortSignal (e.g. new AbortController().signal) or undefined');
  }
  return value as AbortSignal;
}

/** Throws {@link AbortedError} when the signal has been aborted. */
export function throwIfAborted(fn: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortedError(fn, signal.reason);
}

/**
 * The checkpoint between two steps of a long loop: yield to the event loop, then throw
 * {@link AbortedError} if the signal was aborted meanwhile (or before).
 */
export async function betweenSteps(fn: string, signal: AbortSignal | undefined): Promise<void> {
  throwIfAborted(fn, signal);
  await yieldToEventLoop();
  throwIfAborted(fn, signal);
}
