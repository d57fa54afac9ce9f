// `npm test`: runs every unit, LSP, CLI and remote test with node's test runner (TypeScript through tsx),
// then the end-to-end suite in a real VS Code (code-server + Chromium) unless MINDPORT_SKIP_E2E=1.
// Prints one closing line `N passed, N failed` over everything that ran.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const only = process.argv.slice(2); // optional folder/file filters, e.g. `npm test -- test/engine`

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures' || name === 'e2e') continue;
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function counts(out) {
  // node's spec reporter: "ℹ pass 12"; tap: "# pass 12"; our mocha runner: "12 passed, 0 failed"
  const last = (re) => {
    const all = [...out.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  return {
    passed: last(/^(?:ℹ|#) pass (\d+)/gm) + last(/^e2e: (\d+) passed, \d+ failed/gm),
    failed: last(/^(?:ℹ|#) fail (\d+)/gm) + last(/^e2e: \d+ passed, (\d+) failed/gm),
  };
}

let files = findTests(join(root, 'test'));
if (only.length) files = files.filter((f) => only.some((o) => f.startsWith(o.replace(/^\.\//, ''))));
let passed = 0;
let failed = 0;
let exit = 0;
if (files.length) {
  const r = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
  const c = counts(r.out);
  passed += c.passed;
  failed += c.failed;
  if (r.code !== 0) exit = 1;
  if (r.code !== 0 && c.failed === 0) failed += 1; // a crash outside any test still counts as a failure
}
const e2e = join(root, 'test/e2e/run.mjs');
if (process.env.MINDPORT_SKIP_E2E !== '1' && only.length === 0 && existsSync(e2e)) {
  const r = await run(process.execPath, [e2e]);
  const c = counts(r.out);
  passed += c.passed;
  failed += c.failed;
  if (r.code !== 0) {
    exit = 1;
    if (c.failed === 0) failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(exit);
