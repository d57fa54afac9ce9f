// Entry of the end-to-end mocha suite, loaded by the VS Code extension host as `extensionTestsPath`
// (bundled to dist/test/e2e/suite.js by test/e2e/run.mjs). Prints mocha's spec report to the console (which the
// runner receives through codeAutomationLog) and one machine-readable line `MINDPORT_E2E_RESULT {...}`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mochaModule = require('mocha');
const Mocha = mochaModule.Mocha || mochaModule.default || mochaModule;

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60_000,
    slow: 5_000,
    reporter: 'spec',
    grep: process.env.MINDPORT_E2E_GREP || undefined,
  });
  // The test files are bundled into this file: expose mocha's globals, then load them in order.
  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  require('./activation.test');
  require('./diagnostics.test');
  require('./fixes.test');
  require('./commands.test');
  require('./settings.test');
  // Notebooks last: a notebook editor closed while its output webview still loads leaves that webview's requests
  // in code-server's webview service worker for its 30 s timeout, and the next webview (the report) waits for
  // them before its script runs (test-results/e2e-browser-console.log: "Waiting for controllerchange").
  require('./notebook.test');

  return new Promise((resolve, reject) => {
    const failures: string[] = [];
    let passed = 0;
    const runner = mocha.run((failed: number) => {
      const result = JSON.stringify({ passed, failed, failures });
      console.log(`MINDPORT_E2E_RESULT ${result}`);
      if (process.env.MINDPORT_E2E_RESULT_FILE) require('node:fs').writeFileSync(process.env.MINDPORT_E2E_RESULT_FILE, result);
      if (failed > 0) reject(new Error(`${failed} tests failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
    runner.on('fail', (test: { fullTitle(): string }, err: Error) => failures.push(`${test.fullTitle()}: ${err?.message ?? err}`));
  });
}
