// Public API of responsible-tfjs/robustness.
export {};
