// Filled by the perturbation methods.
export {};
