// Membership-inference attacks: threshold scores, gradient norms, shadow models and LiRA.
export { membershipScores, type MembershipScoreKind, type MembershipScoresOptions } from './membershipScores.js';
export { gradientNormScores, type GradientNormScoresOptions } from './gradientNormScores.js';
export {
  trainShadowModels, type ShadowModels, type ShadowTrainer, type ShadowTrainerContext, type TrainShadowModelsOptions,
} from './trainShadowModels.js';
export { liraScores, type LiraScores, type LiraScoresOptions } from './liraScores.js';
