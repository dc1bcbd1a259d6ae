// Public API of responsible-tfjs/compression.
export {};
