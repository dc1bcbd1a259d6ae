// Public API of responsible-tfjs/fairness.
export {};
