// Filled by the pictures methods.
export {};
