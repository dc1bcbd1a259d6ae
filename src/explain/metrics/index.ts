// Filled by the metrics methods.
export {};
