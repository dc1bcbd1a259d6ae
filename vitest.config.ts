import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.js';

const src = fileURLToPath(new URL('./src', import.meta.url));
const alias = [
  { find: /^responsible-tfjs$/, replacement: `${src}/index.ts` },
  { find: /^responsible-tfjs\/(.*)$/, replacement: `${src}/$1/index.ts` },
];

/**
 * The browser subset: suites that run on webgl and webgpu in headless Chromium. They use no
 * Node APIs (fixtures are imported as JSON modules).
 */
export const browserSubset = ['test/browser/**/*.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/playground/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        // The built playground page driven in Chromium by Playwright (npm run test:playground).
        resolve: { alias },
        test: {
          name: 'playground',
          include: ['test/playground/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
      {
        resolve: { alias },
        optimizeDeps: {
          include: [
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-layers',
            '@tensorflow/tfjs-backend-webgl',
            '@tensorflow/tfjs-backend-webgpu',
            'seedrandom',
          ],
        },
        test: {
          name: 'browser',
          include: browserSubset,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
