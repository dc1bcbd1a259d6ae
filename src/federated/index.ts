/**
 * Federated learning: one tfjs model trained on data that stays on its owners' devices.
 * {@link simulateFederated} runs hundreds of simulated clients (non-IID partitions from
 * {@link dirichletPartition}); {@link federatedServerDriver} with {@link startCoordinator} and
 * {@link federatedClientDriver} with {@link runClient} run the same rounds over WebSocket between
 * Node processes and browsers. Rounds combine local training ({@link trainClient}, FedProx), server
 * optimizers ({@link serverOptimizer}: FedAvg, FedAdam, FedYogi, FedAdagrad), user-level
 * differential privacy (DP-FedAvg with {@link clipUpdate}, central or distributed noise, adaptive
 * clipping by {@link updateQuantileClip}, epsilon from {@link userLevelPrivacy}), secure
 * aggregation ({@link SecAggClient}, {@link SecAggServer}, SecAgg+) and compressed updates
 * ({@link compressUpdate}). Guide: [federated](../../docs/federated.md).
 * @module responsible-tfjs/federated
 */
export type { WeightLayout, ClientUpdate } from './types.js';
export * from './secagg/index.js';
export * from './compression/index.js';
export * from './dp/index.js';
export { readWeights } from './weights/readWeights.js';
export { writeWeights } from './weights/writeWeights.js';
export { weightLayoutOf } from './weights/weightLayoutOf.js';
export { trainClient, type TrainClientOptions } from './algorithms/trainClient.js';
export { evaluateClient, type EvaluateClientOptions, type ClientEvaluation } from './algorithms/evaluateClient.js';
export { federatedAverage, type WeightedDelta } from './algorithms/federatedAverage.js';
export { serverOptimizer, type ServerOptimizerOptions, type ServerOptimizer } from './algorithms/serverOptimizer.js';
export { serverOptimizerStateToJson, serverOptimizerStateFromJson, type ServerOptimizerState, type ServerOptimizerStateJson, type ServerOptimizerKind } from './algorithms/serverOptimizerState.js';
export { sampleClients, type SampleClientsOptions } from './algorithms/sampleClients.js';
export { aggregateEvaluations } from './algorithms/aggregateEvaluations.js';
export type { ClientLoss } from './algorithms/clientLoss.js';
export { dirichletPartition, type DirichletPartitionOptions } from './data/dirichletPartition.js';
export { iidPartition, type IidPartitionOptions } from './data/iidPartition.js';
export { federatedServerDriver, type FederatedServerDriverOptions, type FederatedServerDriver, type FederatedRoundSummary } from './round/serverDriver.js';
export { simulateFederated, type SimulateFederatedOptions, type SimulateFederatedResult, type SimulatedClient, type SimulatedDropout, type SimulatedRound } from './simulate/simulateFederated.js';
export type {
  FederatedOptions, ClientSamplingOptions, AdaptiveClippingOptions, FederatedPrivacyOptions, SecureAggregationOptions, UpdateCompressionOptions,
} from './round/options.js';
export { serverStateToJson, serverStateFromJson, type FederatedServerState, type RoundRecord } from './round/serverState.js';
export type { FederatedPrivacySpent } from './round/accounting.js';
export { federatedClientDriver, type FederatedClientDriverOptions } from './round/clientDriver.js';
export { PROTOCOL_VERSION, MESSAGE_TYPES, validateMessage, type FederatedMessage, type RejectCode } from './protocol/messages.js';
export { encodeFrame, decodeFrame, DEFAULT_MAX_FRAME_BYTES, type FrameOptions } from './protocol/framing.js';
export { ProtocolError } from './protocol/errors.js';
export { PAYLOAD_DTYPES, type Payload, type PayloadDtype } from './protocol/payload.js';
export { payloadToJson, payloadFromJson } from './protocol/json.js';
export type { PhaseRequests, ServerRoundDriver, ClientRoundDriver } from './runtime/driver.js';
export { startCoordinator, type CoordinatorOptions, type CoordinatorHandle, type CoordinatorEvent } from './runtime/coordinator.js';
export type { CheckpointStore, CoordinatorCheckpoint } from './runtime/checkpoint.js';
export { runClient, type ClientOptions, type ClientResult, type RetryOptions } from './runtime/client.js';
export { FederatedRuntimeError, type RuntimeFailure } from './runtime/errors.js';
export type { ServerLike, ServerSocketLike, WebSocketLike, WebSocketConstructorLike } from './runtime/socket.js';
