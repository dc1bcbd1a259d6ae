/**
 * The playground's build: `npm run playground` (dev server) and `npm run playground:build` (a
 * static folder, examples/playground/dist, to host anywhere). The library is imported through
 * its public subpaths and resolved to the package's built files (`npm run build` first), so the
 * page uses what users install. The shipped data sets are served as static files.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: fileURLToPath(new URL('../data/', import.meta.url)),
  resolve: {
    alias: [
      { find: /^responsible-tfjs$/, replacement: `${dist}index.js` },
      { find: /^responsible-tfjs\/(.*)$/, replacement: `${dist}$1/index.js` },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('./dist/', import.meta.url)), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { port: 5180 },
  preview: { port: 5181 },
});
