// Filled by the layers methods.
export {};
