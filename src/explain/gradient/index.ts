// Filled by the gradient methods.
export {};
