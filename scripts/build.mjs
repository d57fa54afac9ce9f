// Bundles the extension client, the language server and the CLI with esbuild, and copies the
// tree-sitter WebAssembly files next to the bundles (web-tree-sitter looks for them beside its script).
import { build } from 'esbuild';
import { nodeBundleOptions } from './esbuild-options.mjs';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// The shipped mapping files that validate, by sha256: the bundles load them without validating again
// (server/src/mappings/database.ts, isChecked). Validated here with the same schema the bundles contain.
async function checkedMappings() {
  const tmp = mkdtempSync(join(tmpdir(), 'mindport-build-'));
  try {
    const checker = join(tmp, 'check.cjs');
    await build({
      absWorkingDir: root,
      stdin: {
        contents: `import { checkedMappings } from './server/src/mappings/database';
process.stdout.write(JSON.stringify(checkedMappings(process.argv[2])));`,
        resolveDir: root,
        loader: 'ts',
      },
      ...nodeBundleOptions,
      outfile: checker,
    });
    return JSON.parse(execFileSync(process.execPath, [checker, join(root, 'mappings')], { encoding: 'utf8' }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
const checked = await checkedMappings();

const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    Object.entries({ ...entries, ...extra }).filter(([, src]) => existsSync(join(root, src))),
  ),
  ...nodeBundleOptions,
  define: { ...nodeBundleOptions.define, __MINDPORT_CHECKED_MAPPINGS__: JSON.stringify(checked) },
  outdir: dist,
  external: ['vscode', 'mocha'],
  sourcemap: true,
  minify: process.argv.includes('--minify'),
  metafile: true,
});

// `import { z } from 'zod'` (rather than `import * as z`) pulls zod's every locale into each bundle: 400 KB that
// every start of the CLI, the server and each scan worker read and compiled for nothing
const locales = Object.values(result.metafile.outputs)
  .flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p))
  .filter((p) => /zod\/v4\/locales\/(?!(en|index)\.js$)/.test(p));
if (locales.length) {
  console.error(`build: zod locales bundled (${locales.length} files, e.g. ${locales[0]}): import zod as \`import * as z from 'zod'\``);
  process.exit(1);
}

copyFileSync(join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
console.log(`built ${readdirSync(dist).filter((f) => f.endsWith('.js')).join(', ')} (${Object.keys(checked).length} mapping files checked)`);
