// End-to-end tests of the MindPort extension inside a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by
// Debian's Chromium through playwright-core, everything on 127.0.0.1 (see docs/e2e.md).
//  1. installs code-server into a cache folder outside the repo when missing (install-code-server.sh);
//  2. builds the extension (scripts/build.mjs) and bundles the mocha suite (test/e2e/suite → dist/test/e2e/suite.js);
//  3. starts code-server on a free loopback port, opens the workbench with the extension-development payload and
//     collects the mocha report from the extension host (codeAutomationLog / codeAutomationExit);
//  4. opens a fresh window and makes the checks a person would make (Problems rows, quick-fix menu, hover, status
//     bar, the rendered report webview), saving screenshots to test-results/ and refreshing images/screenshot-*.png;
//  5. kills code-server's process group and prints exactly one line `e2e: N passed, N failed`.
// Env: MINDPORT_CACHE, CODE_SERVER_DIR (install), CHROMIUM_PATH (default /usr/bin/chromium),
//      MINDPORT_E2E_SKIP_BUILD=1, MINDPORT_E2E_GREP=<mocha grep>, MINDPORT_E2E_NO_UI=1, MINDPORT_E2E_KEEP=1 (keep temp dirs),
//      MINDPORT_E2E_SCREENSHOTS=0 (do not refresh images/).
import { spawn } from 'node:child_process';
import { format } from 'node:util';
import { createServer } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync, rmSync, existsSync, copyFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (m) => console.log(`[e2e ${elapsed()}] ${m}`);
const TOTAL_LIMIT_MS = Number(process.env.MINDPORT_E2E_TIMEOUT_MS || 9 * 60_000);
const SUITE_LIMIT_MS = 6 * 60_000;

let passed = 0;
let failed = 0;
const failures = [];
let codeServer;
let browser;
let tmp;
let finished = false;

async function cleanup() {
  try {
    await browser?.close();
  } catch {
    /* already gone */
  }
  if (codeServer?.pid && codeServer.exitCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 1500));
    try {
      process.kill(-codeServer.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (tmp && process.env.MINDPORT_E2E_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
}

async function finish(code) {
  if (finished) return;
  finished = true;
  await cleanup();
  if (failures.length) {
    console.log('\nfailures:');
    for (const f of failures) console.log(`  - ${f}`);
  }
  console.log(`[e2e] took ${elapsed()}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}

const watchdog = setTimeout(() => {
  failed++;
  failures.push(`the whole e2e run exceeded ${TOTAL_LIMIT_MS / 1000}s`);
  void finish(1);
}, TOTAL_LIMIT_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void finish(1));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function waitForHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok || r.status === 302) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function copyWorkspace(name) {
  const dst = join(tmp, name);
  cpSync(join(root, 'test/e2e/fixtures/workspace'), dst, { recursive: true });
  return dst;
}

async function main() {
  // 1. code-server
  const inst = await run('bash', [join(root, 'test/e2e/install-code-server.sh')]);
  if (inst.code !== 0) {
    process.stdout.write(inst.err);
    throw new Error('could not install code-server (see above; needs apt packages chromium ripgrep libkrb5-dev and a C++ toolchain)');
  }
  const entry = inst.out.trim().split('\n').pop();
  const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  say(`code-server: ${entry}`);

  // 2. build the extension and the test bundle
  if (process.env.MINDPORT_E2E_SKIP_BUILD !== '1') {
    const b = await run(process.execPath, [join(root, 'scripts/build.mjs')]);
    if (b.code !== 0) {
      process.stdout.write(b.out + b.err);
      throw new Error('scripts/build.mjs failed');
    }
  }
  if (!existsSync(join(root, 'dist/server.js')) || !existsSync(join(root, 'dist/client.js')))
    throw new Error('dist/client.js or dist/server.js is missing: run node scripts/build.mjs');
  const { bundleSuite } = await import('./bundle-suite.mjs');
  await bundleSuite(root);
  say('built extension and test bundle');

  // 3. code-server on a free loopback port, in its own process group and temp dir
  tmp = mkdtempSync(join(tmpdir(), 'mindport-e2e-'));
  const ud = join(tmp, 'ud');
  mkdirSync(join(ud, 'User'), { recursive: true });
  writeFileSync(
    join(ud, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'editor.hover.delay': 100,
        'workbench.colorTheme': 'Default Dark Modern',
        'window.menuBarVisibility': 'compact',
        'files.autoSave': 'off',
        'git.enabled': false,
        'chat.commandCenter.enabled': false,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
  const port = await freePort();
  const env = { ...process.env, TMPDIR: tmp, PORT: '', PASSWORD: '', VSCODE_PROXY_URI: '', MINDPORT_E2E: '1' };
  const log = createWriteStream(join(results, 'code-server.log'));
  const testWs = copyWorkspace('pytorch-project-tests');
  codeServer = spawn(
    process.execPath,
    [
      entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--config', join(tmp, 'config.yaml'),
      '--user-data-dir', ud,
      '--extensions-dir', join(tmp, 'exts'),
      '--ignore-last-opened',
      testWs,
    ],
    { cwd: tmp, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  codeServer.stdout.pipe(log);
  codeServer.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  if (!(await waitForHttp(`${base}/healthz`, 30_000))) throw new Error('code-server did not start listening within 30 s (test-results/code-server.log)');
  say(`code-server listening on ${base}`);

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const workbenchUrl = (folder, tests) => {
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ...(tests ? [['extensionTestsPath', remote(join(root, 'dist/test/e2e/suite'))]] : []),
      ['skipWelcome', 'true'],
    ];
    return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };

  // 3b. the mocha suite inside the extension host
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  const hostLog = [];
  let exitCode;
  const exited = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = Array.isArray(args) ? format(...args) : String(args ?? '');
      hostLog.push(line);
      if (!line.startsWith('MINDPORT_E2E_RESULT ')) console.log(`  ${line.replace(/\n/g, '\n  ')}`);
    });
    void page.exposeFunction('codeAutomationExit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  // The browser's console (the workbench and its webview frames), kept for diagnosis: test-results/e2e-browser-console.log.
  const consoleLog = createWriteStream(join(results, 'e2e-browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[${elapsed()}] ${m.type()} ${m.location()?.url?.slice(0, 80) ?? ''}: ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[${elapsed()}] pageerror: ${e.message}\n`));
  await page.goto(workbenchUrl(testWs, true));
  say('workbench opened; running the mocha suite in the extension host');
  const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), SUITE_LIMIT_MS))]);
  await page.screenshot({ path: join(results, 'e2e-suite-end.png') }).catch(() => undefined);
  const resultLine = hostLog.find((l) => l.startsWith('MINDPORT_E2E_RESULT '));
  if (resultLine) {
    const r = JSON.parse(resultLine.slice('MINDPORT_E2E_RESULT '.length));
    passed += r.passed;
    failed += r.failed;
    for (const f of r.failures ?? []) failures.push(`suite: ${f}`);
  } else {
    failed++;
    failures.push(timedOut ? `the mocha suite did not finish within ${SUITE_LIMIT_MS / 1000}s` : `the mocha suite exited with ${exitCode} without a report`);
  }
  writeFileSync(join(results, 'e2e-extension-host.log'), hostLog.join('\n') + '\n');
  say(`mocha suite done (exit ${exitCode ?? 'none'})`);
  await context.close();

  // 4. UI checks in a fresh window
  if (process.env.MINDPORT_E2E_NO_UI !== '1') {
    const { uiChecks } = await import('./ui-checks.mjs');
    const uiWs = copyWorkspace('pytorch-project');
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const ui = await ctx.newPage();
    await ui.goto(workbenchUrl(uiWs, false));
    const shots = [];
    const r = await uiChecks(ui, { results, log: say, shots });
    passed += r.passed;
    failed += r.failed;
    for (const f of r.failures) failures.push(`ui: ${f}`);
    if (process.env.MINDPORT_E2E_SCREENSHOTS !== '0') {
      mkdirSync(join(root, 'images'), { recursive: true });
      for (const s of shots) copyFileSync(join(results, s), join(root, 'images', `screenshot-${s}`));
      if (shots.length) say(`refreshed ${shots.map((s) => `images/screenshot-${s}`).join(', ')}`);
    }
    await ctx.close();
  }
}

main().then(
  () => finish(),
  (e) => {
    failed++;
    failures.push(e instanceof Error ? e.message : String(e));
    void finish(1);
  },
);
