// Public API of responsible-tfjs/privacy.
export * from './accounting/index.js';
export * from './mechanisms/index.js';
export * from './budget/index.js';
export * from './errors.js';
export * from './dpsgd/index.js';
