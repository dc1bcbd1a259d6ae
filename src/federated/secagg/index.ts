/**
 * Secure aggregation (Bonawitz et al. 2017; SecAgg+ of Bell et al. 2020): fixed-point encoding
 * into Z_{2^32}, Shamir sharing, key agreement, mask PRG, share encryption, the neighbour graph,
 * and the client and server state machines. The lead's barrel re-exports these names.
 */
export { SecAggError, type SecAggErrorKind } from './errors.js';
export {
  checkFixedPointCapacity, decodeFixedPointSum, encodeFixedPoint, type EncodeFixedPointOptions, type FixedPointRounding,
} from './fixedPoint.js';
export { addModular, subModular } from './modular.js';
export { shamirCombine, shamirSplit, type ShamirShare } from './shamir.js';
export {
  agreementContext, deriveSharedSecret, detectAgreementCurve, exportPrivateKey, generateAgreementKeyPair, importPrivateKey,
  type AgreementKeyPair, type KeyAgreementCurve,
} from './keyAgreement.js';
export { expandMask } from './prg.js';
export { decryptFromPeer, encryptForPeer, type PeerBinding } from './encryption.js';
export { neighbourGraph, type NeighbourGraphOptions } from './graph.js';
export type { SecAggConfig } from './config.js';
export type {
  AdvertiseKeysMessage, AdvertisedKeys, KeysBroadcastMessage, MaskedInputMessage, RevealedShare, SecAggClientMessage,
  SecAggPhase, SecAggResult, SecAggServerMessage, ShareKeysMessage, SharesBroadcastMessage, UnmaskRequestMessage,
  UnmaskResponseMessage,
} from './messages.js';
export { SecAggClient, type SecAggClientOptions, type SecAggClientState } from './client.js';
export { SecAggServer, type SecAggServerState } from './server.js';
export { runSecAggInProcess, type RunSecAggOptions } from './inProcess.js';
