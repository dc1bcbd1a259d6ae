// Update compression for federated learning: int8, top-k and random-k with error feedback.
export type { EncodedUpdate } from './encodedUpdate.js';
export { encodedUpdateBytes } from './encodedUpdate.js';
export { compressUpdate, type CompressUpdateOptions, type CompressUpdateResult } from './compressUpdate.js';
export { decompressUpdate } from './decompressUpdate.js';
