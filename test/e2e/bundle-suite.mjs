// Bundles the mocha suite that runs inside the extension host (dist/test/e2e/suite.js), for both runners.
import { join } from 'node:path';
import { build } from 'esbuild';
import { nodeBundleOptions } from '../../scripts/esbuild-options.mjs';

export async function bundleSuite(root) {
  await build({
    ...nodeBundleOptions,
    absWorkingDir: root,
    entryPoints: { 'test/e2e/suite': 'test/e2e/suite/index.ts' },
    outdir: join(root, 'dist'),
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
  });
}
