// Bundles the extension client, the language server and the CLI with esbuild, and copies the
// tree-sitter WebAssembly files next to the bundles (web-tree-sitter looks for them beside its script).
import { build } from 'esbuild';
import { nodeBundleOptions } from './esbuild-options.mjs';
import { copyFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const entries = {
  // the extension: a small entry loaded at activation, and its body loaded right after (client/src/extension.ts)
  client: 'client/src/extension.ts',
  'client-main': 'client/src/main.ts',
  server: 'server/src/lsp/main.ts',
  cli: 'server/src/cli/main.ts',
  'scan-worker': 'server/src/cli/scanWorker.ts',
};
const extra = process.argv.includes('--tests') ? { 'test/e2e/suite': 'test/e2e/suite/index.ts' } : {};

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    Object.entries({ ...entries, ...extra }).filter(([, src]) => existsSync(join(root, src))),
  ),
  ...nodeBundleOptions,
  outdir: dist,
  external: ['vscode', 'mocha'],
  sourcemap: true,
  minify: process.argv.includes('--minify'),
});

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
console.log(`built ${readdirSync(dist).filter((f) => f.endsWith('.js')).join(', ')}`);
