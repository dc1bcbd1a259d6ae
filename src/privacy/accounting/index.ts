// Privacy accounting: plain double arithmetic, no tfjs imports.
export * from './dpEvent.js';
export type { PrivacyAccountant, AccountantKind, DpSgdStep, NeighboringRelation } from './accountant.js';
export { RdpAccountant, type RdpAccountantOptions } from './rdpAccountant.js';
export { PldAccountant, type PldAccountantOptions } from './pldAccountant.js';
export { createAccountant, type CreateAccountantOptions } from './createAccountant.js';
export { getNoiseMultiplier, type GetNoiseMultiplierOptions } from './getNoiseMultiplier.js';
export { DEFAULT_RDP_ORDERS, DP_ACCOUNTING_RDP_ORDERS } from './rdp/orders.js';
export { computeRdp, type ComputeRdpOptions } from './rdp/computeRdp.js';
export { rdpToEpsilon, rdpToDelta, type RdpToEpsilonOptions, type RdpToDeltaOptions, type RdpConversion, type RdpDeltaConversion } from './rdp/rdpToEpsilon.js';
export { calibrate, type CalibrateOptions, type CalibrationResult } from './calibrate.js';
