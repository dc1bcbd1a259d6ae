/**
 * Knowledge distillation (Hinton, Vinyals and Dean 2015): {@link distillationLoss} and its
 * per-example form, and {@link distill}, which trains a small student on a teacher's softened
 * outputs on the library's training loop, together with the compression module's pruning and
 * quantization-aware-training callbacks. For distillation as one term of a multi-objective loss,
 * see `distillationTerm` in `responsible-tfjs/objectives`.
 */
export {
  distillationLoss, perExampleDistillationLoss, DISTILLATION_DEFAULTS, type DistillationLossOptions,
} from './distillationLoss.js';
export { distill, type DistillOptions, type DistillResult } from './distill.js';
