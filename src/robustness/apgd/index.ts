/**
 * APGD and APGD-T (Croce & Hein 2020, https://arxiv.org/abs/2003.01690), with the DLR losses they
 * ascend. Re-exported by `responsible-tfjs/robustness`.
 */
export { apgd } from './apgd.js';
export { apgdTargeted } from './apgdTargeted.js';
export { dlrLoss, targetedDlrLoss } from './dlr.js';
export type { ApgdLoss, ApgdOptions, ApgdTargetedOptions } from './options.js';
