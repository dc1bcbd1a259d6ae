import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('accounting is plain JavaScript', () => {
  it('no accounting, budget or calibration file imports tfjs (directly or via core/tf)', () => {
    const root = new URL('../../src/privacy/', import.meta.url).pathname;
    const pure = [
      ...files(join(root, 'accounting')),
      ...files(join(root, 'budget')),
      join(root, 'errors.ts'),
      join(root, 'mechanisms', 'gaussianSigma.ts'),
      join(root, 'mechanisms', 'gaussianDelta.ts'),
      join(root, 'mechanisms', 'gaussianEpsilon.ts'),
      join(root, 'mechanisms', 'laplaceDelta.ts'),
      ...files(join(root, 'mechanisms', 'samplers')),
    ];
    expect(pure.length).toBeGreaterThan(15);
    for (const f of pure) {
      const src = readFileSync(f, 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const i of imports) {
        expect(i, `${f} imports ${i}`).not.toMatch(/tensorflow|core\/tf\.js|\/mechanisms\/(release|laplaceMechanism|gaussianMechanism)/);
      }
    }
  });
});
