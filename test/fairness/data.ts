/** Reference inputs decoded from the JSON fixtures (predictions.csv of the reference folder). */
import pred from '../fixtures/fairness/predictions.json';
import train from '../fixtures/fairness/predictions_train.json';

const decode = (c: { values: string[]; codes: number[] }): string[] => c.codes.map((k) => c.values[k]!);

export const test = {
  yTrue: pred.y_true,
  yPred: pred.y_pred,
  yScore: pred.y_score,
  sampleWeight: pred.sample_weight,
  sex: decode(pred.sex),
  race: decode(pred.race),
  ageGroup: decode(pred.age_group),
};

export const trainSet = { yTrue: train.y_true, yScore: train.y_score, sex: decode(train.sex), race: decode(train.race) };

/** Reference JSON writes NaN as null. */
export const num = (v: number | null | string): number => (v === null ? Number.NaN : v === 'Infinity' ? Infinity : (v as number));

/** |a − b| <= tol, with NaN equal to NaN. */
export function close(a: number, b: number, tol = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol;
}
