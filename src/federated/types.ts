/**
 * The shapes every part of the federated module agrees on: a model's weights as one flat
 * float32 vector with its layout, and what a client sends back after local training.
 */

/** Where each of a model's trainable weights sits in one flat vector (row-major, tfjs layout). */
export interface WeightLayout {
  /** The weights' names, in `model.trainableWeights` order. */
  readonly names: readonly string[];
  /** Their shapes, in the same order. */
  readonly shapes: readonly (readonly number[])[];
  /** Element offsets: weight `i` is `[offsets[i], offsets[i + 1])`; `offsets.length === names.length + 1`. */
  readonly offsets: readonly number[];
  /** Total number of elements (`offsets[names.length]`). */
  readonly size: number;
}

/** A client's result of local training on the global weights it was sent. */
export interface ClientUpdate {
  /** Local weights minus the global weights, flat in the round's {@link WeightLayout}. */
  readonly delta: Float32Array;
  /** Number of local examples the client trained on (FedAvg's weight). */
  readonly numExamples: number;
  /** Mean training loss over the client's last local epoch. */
  readonly loss: number;
}
