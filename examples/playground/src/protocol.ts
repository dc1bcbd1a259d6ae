/** The messages between the page and its Web Worker (structured-cloned: plain data only). */
import type { CompressionResult, CompressionSettings } from './tasks/compression.js';
import type { ExplanationResult, ExplanationSettings } from './tasks/explanation.js';
import type { FairnessResult, FairnessSettings } from './tasks/fairness.js';
import type { EpochPoint, PrivateTrainingSettings } from './tasks/privateTraining.js';
import type { CurvePoint, RobustnessResult, RobustnessSettings } from './tasks/robustness.js';

/** The private-training result as the page receives it (the model stays in the worker). */
export interface TrainingSummary {
  readonly noiseMultiplier: number;
  readonly epsilon: number;
  readonly steps: number;
  readonly testAccuracy: number;
  readonly secureNoise: boolean;
  readonly history: readonly EpochPoint[];
}

/** Each task's settings, live points and result. */
export interface Tasks {
  train: { settings: PrivateTrainingSettings; point: EpochPoint; result: TrainingSummary };
  robustness: { settings: RobustnessSettings; point: CurvePoint; result: RobustnessResult };
  explain: { settings: ExplanationSettings; point: undefined; result: ExplanationResult };
  fairness: { settings: FairnessSettings; point: { epoch: number; loss: number }; result: FairnessResult };
  compress: { settings: CompressionSettings; point: undefined; result: CompressionResult };
}
export type TaskName = keyof Tasks;

/** Page to worker. */
export type Request =
  | { readonly type: 'init'; readonly backend: string | null; /** Where the data files are (the page's folder). */ readonly dataBase: string }
  | { [K in TaskName]: { readonly type: 'run'; readonly id: number; readonly task: K; readonly settings: Tasks[K]['settings'] } }[TaskName]
  | { readonly type: 'cancel'; readonly id: number };

/** Worker to page. */
export type Reply =
  | { readonly type: 'ready'; readonly backend: string; readonly tried: readonly string[]; readonly tfjsVersion: string }
  | { readonly type: 'progress'; readonly id: number; readonly fraction: number; readonly message: string; readonly point?: unknown }
  | { readonly type: 'done'; readonly id: number; readonly result: unknown }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: string };
