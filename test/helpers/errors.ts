import { expect } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';

/** Asserts that `call` throws an InvalidArgumentError naming `fn` and `argument`, with a message matching `message`. */
export function expectInvalidArgument(call: () => unknown, fn: string, argument: string, message: RegExp): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  expect((error as Error).message).toMatch(message);
}
