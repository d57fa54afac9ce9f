// esbuild options shared by every bundle of MindPort code (dist/, the benchmark harness): CommonJS for Node 20,
// and an import.meta.url for ESM dependencies (web-tree-sitter) inside a CommonJS bundle.
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __mindport_import_meta_url = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__mindport_import_meta_url' },
  logLevel: 'warning',
};
