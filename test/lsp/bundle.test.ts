// The bundled server is self-contained: copied with its wasm files and mappings/ to a folder where no
// node_modules can be found, it still parses Python and answers with diagnostics.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, startClient } from './client';

let install: string;

before(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  install = mkdtempSync(join(tmpdir(), 'mindport-install-'));
  mkdirSync(join(install, 'dist'));
  for (const f of readdirSync(join(ROOT, 'dist'))) {
    if (f.endsWith('.js') || f.endsWith('.wasm')) cpSync(join(ROOT, 'dist', f), join(install, 'dist', f));
  }
  cpSync(join(ROOT, 'mappings'), join(install, 'mappings'), { recursive: true });
  cpSync(join(ROOT, 'docs', 'rules'), join(install, 'docs', 'rules'), { recursive: true });
});

test('dist/server.js loads web-tree-sitter.wasm and tree-sitter-python.wasm from dist/', async () => {
  assert.deepEqual(readdirSync(join(install, 'dist')).filter((f) => f.endsWith('.wasm')).sort(), ['tree-sitter-python.wasm', 'web-tree-sitter.wasm']);
  const c = await startClient({ serverPath: join(install, 'dist', 'server.js'), cwd: install });
  try {
    const file = join(install, 'a.py');
    writeFileSync(file, 'import torch\nx = torch.abs(y)\n');
    const uri = pathToFileURL(file).href;
    c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'import torch\nx = torch.abs(y)\n' } });
    const p = await c.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(p.diagnostics[0].code, 'MSP101');
    assert.match(p.diagnostics[0].codeDescription!.href, new RegExp(`^file://${install}/docs/rules/MSP101\\.md$`));
  } finally {
    await c.stop();
  }
});
