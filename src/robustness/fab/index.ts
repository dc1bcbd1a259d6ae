/**
 * FAB, the Fast Adaptive Boundary attack (Croce and Hein 2020, https://arxiv.org/abs/1907.02044):
 * {@link fab} (untargeted, every class's boundary) and {@link fabTargeted} (FAB-T of AutoAttack).
 * @module
 */
export { fab } from './fab.js';
export { fabTargeted } from './fabTargeted.js';
export type { FabOptions, FabTargetedOptions } from './options.js';
