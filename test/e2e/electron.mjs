// The same mocha suite in a desktop VS Code (Electron), through @vscode/test-electron, for machines that have one.
// It cannot download VS Code here, so it needs VSCODE_EXECUTABLE_PATH, e.g.
//   VSCODE_EXECUTABLE_PATH=/usr/share/code/code node test/e2e/electron.mjs
//   VSCODE_EXECUTABLE_PATH="/Applications/Visual Studio Code.app/Contents/MacOS/Electron" node test/e2e/electron.mjs
// On a Linux machine without a display, wrap it in `xvfb-run -a`. Prints `e2e: N passed, N failed` like run.mjs.
import { runTests } from '@vscode/test-electron';
import { bundleSuite } from './bundle-suite.mjs';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const exe = process.env.VSCODE_EXECUTABLE_PATH;
if (!exe || !existsSync(exe)) {
  console.error('test/e2e/electron.mjs: set VSCODE_EXECUTABLE_PATH to a desktop VS Code (1.91 or newer); it is not downloaded. Use test/e2e/run.mjs (code-server) otherwise.');
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}

if (process.env.MINDPORT_E2E_SKIP_BUILD !== '1') {
  const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
await bundleSuite(root);

const tmp = mkdtempSync(join(tmpdir(), 'mindport-e2e-electron-'));
const ws = join(tmp, 'pytorch-project');
cpSync(join(root, 'test/e2e/fixtures/workspace'), ws, { recursive: true });
let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist/test/e2e/suite.js'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${join(tmp, 'ud')}`],
    extensionTestsEnv: { MINDPORT_E2E: '1', MINDPORT_E2E_RESULT_FILE: join(tmp, 'result.json') },
  });
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
}
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(join(tmp, 'result.json'), 'utf8'));
  passed = r.passed;
  failed = r.failed;
  for (const f of r.failures) console.log(`  - ${f}`);
} catch {
  failed = 1; // the suite never reported
}
rmSync(tmp, { recursive: true, force: true });
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(code || (failed ? 1 : 0));
