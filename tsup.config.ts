import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'privacy/index': 'src/privacy/index.ts',
    'robustness/index': 'src/robustness/index.ts',
    'fairness/index': 'src/fairness/index.ts',
    'compression/index': 'src/compression/index.ts',
    'objectives/index': 'src/objectives/index.ts',
    'explain/index': 'src/explain/index.ts',
    'audit/index': 'src/audit/index.ts',
    'sustainability/index': 'src/sustainability/index.ts',
    'federated/index': 'src/federated/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'],
});
