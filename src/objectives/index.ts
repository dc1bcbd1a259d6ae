// Public API of responsible-tfjs/objectives.
export {};
