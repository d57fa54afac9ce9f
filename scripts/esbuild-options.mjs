// esbuild options shared by every bundle of MindPort code (dist/, the benchmark harness): CommonJS for Node 20,
// an import.meta.url for ESM dependencies (web-tree-sitter) inside a CommonJS bundle, and jsonc-parser's ES module
// build (its "main" is UMD, whose require('./impl/...') calls esbuild cannot follow).
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __mindport_import_meta_url = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__mindport_import_meta_url' },
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  logLevel: 'warning',
};
