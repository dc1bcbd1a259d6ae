// Public API of responsible-tfjs/privacy.
export {};
