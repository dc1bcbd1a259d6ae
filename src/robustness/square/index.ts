/**
 * The Square attack (score-based black-box, L-inf and L2): see {@link square}.
 */
export { square } from './square.js';
export type { SquareOptions } from './settings.js';
export type { SquareLoss } from './objective.js';
export type { WindowPositions } from './windows.js';
