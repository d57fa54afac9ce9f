// Extension activation time without VS Code, in a fresh process: `node bench/activation.cjs DIST_DIR`.
// What it measures (activation_ms): require() of dist/client.js with a minimal `vscode` module stub, plus
// activate() until it has returned and its promise (if any) has resolved: what VS Code counts as activation.
// body_ready_ms: from the same start until the deferred body (dist/client-main.js) has created the
// LanguageClient. It does not include VS Code's own extension-host work (reading package.json, loading the file
// from a .vsix), nor the language server's start: child_process.fork/spawn are intercepted, so no server runs;
// the output records whether and when the client tried to start one.
const { performance } = require('node:perf_hooks');
const Module = require('node:module');
const cp = require('node:child_process');
const path = require('node:path');

const dist = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist'));
const marks = {};
const mark = (k) => (marks[k] ??= performance.now());

// A permissive stand-in for the `vscode` API: every member exists, every call returns another stand-in,
// awaiting one yields undefined, iterating one yields nothing.
function stub(name = 'vscode', overrides = {}) {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(_t, p) {
      if (p in overrides) return overrides[p];
      if (p === 'then') return (ok, ko) => Promise.resolve(undefined).then(ok, ko);
      if (p === Symbol.toPrimitive) return () => '';
      if (p === Symbol.iterator) return function* () {};
      if (p === 'length') return 0;
      if (typeof p === 'symbol') return undefined;
      if (!cache.has(p)) cache.set(p, stub(`${name}.${p}`));
      return cache.get(p);
    },
    set(_t, p, v) {
      overrides[p] = v;
      return true;
    },
    apply() {
      return stub(`${name}()`);
    },
    construct() {
      return stub(`new ${name}`);
    },
  });
}

const Uri = stub('Uri', {
  file: (p) => ({ fsPath: p, scheme: 'file', path: p, toString: () => `file://${p}` }),
  joinPath: (base, ...parts) => {
    const p = path.join(base.fsPath, ...parts);
    return { fsPath: p, scheme: 'file', path: p, toString: () => `file://${p}` };
  },
  parse: (s) => ({ fsPath: s, scheme: 'file', path: s, toString: () => s }),
});
// every namespace, class and enum that @types/vscode declares exists as an own property (esbuild's ESM
// interop copies own properties of the required module)
const fs = require('node:fs');
const names = new Set();
try {
  const dts = fs.readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [path.join(__dirname, '..')] }), 'utf8');
  for (const m of dts.matchAll(/^\s*export (?:namespace|class|enum|const|let) (\w+)/gm)) names.add(m[1]);
} catch {
  for (const n of ['window', 'workspace', 'commands', 'languages', 'env', 'extensions', 'notebooks', 'l10n']) names.add(n);
}
const vscode = Object.fromEntries([...names].map((n) => [n, stub(n)]));
Object.assign(vscode, {
  version: '1.91.0',
  Uri,
  workspace: stub('workspace', {
    workspaceFolders: undefined,
    createFileSystemWatcher: () => {
      mark('clientCreating'); // createClient() builds the LanguageClient options with two file watchers
      return stub('watcher');
    },
  }),
});
delete vscode.then;

const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscode;
  return origLoad.call(this, request, parent, isMain);
};
for (const fn of ['fork', 'spawn', 'execFile']) {
  const orig = cp[fn];
  cp[fn] = function () {
    mark('serverStart');
    throw new Error(`bench: ${fn} blocked (no server is started while measuring activation)`);
  };
  void orig;
}

async function main() {
  const extDir = path.join(dist, '..');
  const context = stub('context', {
    subscriptions: [],
    extensionUri: Uri.file(extDir),
    extensionPath: extDir,
    // the manifest beside the dist folder (or the repository's, for a dist copied elsewhere)
    extension: { packageJSON: JSON.parse(fs.readFileSync(fs.existsSync(path.join(extDir, 'package.json')) ? path.join(extDir, 'package.json') : path.join(__dirname, '..', 'package.json'), 'utf8')) },
  });
  const t0 = performance.now();
  const ext = require(path.join(dist, 'client.js'));
  const t1 = performance.now();
  const ret = ext.activate(context);
  let activateError;
  try {
    await ret;
  } catch (e) {
    activateError = String(e && e.message);
  }
  const t2 = performance.now();
  await new Promise((r) => setTimeout(r, 300)); // let start() proceed as far as spawning
  process.stdout.write(
    JSON.stringify({
      requireMs: t1 - t0,
      activateMs: t2 - t1,
      activationMs: t2 - t0,
      clientCreated: marks.clientCreating !== undefined,
      bodyReadyMs: marks.clientCreating !== undefined ? marks.clientCreating - t0 : null,
      serverStartedEagerly: marks.serverStart !== undefined,
      serverStartAfterMs: marks.serverStart !== undefined ? marks.serverStart - t0 : null,
      activateError,
    }) + '\n',
  );
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack) + '\n');
  process.exit(1);
});
