// The language server over stdio, driven by a real LSP client connection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { unpackEntry } from '../../server/src/cli/scanEntry';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CancellationTokenSource, type CodeAction, type Diagnostic, type Hover } from 'vscode-languageserver-protocol';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { initParser } from '../../server/src/engine/parser';
import { applyLspEdits, ROOT, startClient, type TestClient } from './client';

const tmp = mkdtempSync(join(tmpdir(), 'mindport-lsp-'));
let client: TestClient;
let n = 0;

function open(text: string, dir = tmp, name?: string): string {
  const path = join(dir, name ?? `doc${++n}.py`);
  writeFileSync(path, text);
  const uri = pathToFileURL(path).href;
  client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  return uri;
}

/** Diagnostic messages may be markup in LSP 3.18. */
function msg(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** Diagnostics as compared between an edited document and the same text opened afresh: code, range, message. */
function diagnosticKeys(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${msg(d)}`);
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => String(d.code));
}

/** Opens a notebook of Python code cells in `c` as VS Code does; returns the cells' URIs. */
function openNotebook(c: TestClient, nbUri: string, texts: string[]): string[] {
  const uris = texts.map((_, i) => `vscode-notebook-cell:${fileURLToPath(nbUri)}#cell${i}`);
  c.conn.sendNotification('notebookDocument/didOpen', {
    notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: texts.map((_, i) => ({ kind: 2, document: uris[i] })) },
    cellTextDocuments: texts.map((text, i) => ({ uri: uris[i], languageId: 'python', version: 1, text })),
  });
  return uris;
}

async function actions(uri: string, diag: Diagnostic | undefined, only?: string[]): Promise<CodeAction[]> {
  const range = diag?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return (await client.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range,
    context: { diagnostics: diag ? [diag] : [], only },
  })) as CodeAction[];
}

before(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  await initParser();
  client = await startClient({ rootUri: pathToFileURL(tmp).href });
});
after(async () => {
  await client?.stop();
});

describe('diagnostics', () => {
  test('an opened file gets diagnostics with codes, source and a link to the rule page', async () => {
    const uri = open('import torch\nimport torch.nn.functional as F\nx = torch.abs(y)\nz = torch.fft.rfft2(x)\nw = F.gelu(x)\n');
    const p = await client.waitDiagnostics(uri, (p) => p.diagnostics.length >= 2);
    assert.ok(codes(p.diagnostics).includes('MSP101'), JSON.stringify(codes(p.diagnostics)));
    const abs = p.diagnostics.find((d) => msg(d).includes('torch.abs'))!;
    assert.equal(abs.source, 'mindport');
    assert.equal(abs.range.start.line, 2);
    assert.equal(abs.range.start.character, 4);
    const href = abs.codeDescription!.href;
    assert.match(href, /docs\/rules\/MSP101\.md$/);
    assert.ok(existsSync(fileURLToPath(href)), `rule page ${href} exists`);
    // the FFT call is flagged (by the generic rule or the Ascend rule)
    assert.ok(p.diagnostics.some((d) => msg(d).includes('rfft2')));
  });

  test('incremental edits update the diagnostics', async () => {
    const uri = open('import torch\nx = torch.abs(y)\n');
    await client.waitDiagnostics(uri, (p) => codes(p.diagnostics).includes('MSP101'));
    // replace `abs` by `zeros` and add a device= argument, in two range edits
    client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 1, character: 10 }, end: { line: 1, character: 13 } }, text: 'zeros' }],
    });
    client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: 17 }, end: { line: 1, character: 17 } }, text: ", device='cuda'" }],
    });
    const p = await client.waitDiagnostics(uri, (p) => p.version === 3);
    assert.ok(p.diagnostics.some((d) => msg(d).includes('torch.zeros')), JSON.stringify(p.diagnostics.map(msg)));
    assert.ok(codes(p.diagnostics).includes('MSP104'));
    const dev = p.diagnostics.find((d) => d.code === 'MSP104')!;
    assert.deepEqual(dev.range.start, { line: 1, character: 19 });
  });

  /**
   * Opens the incremental fixture, waits `pauseMs` after its first diagnostics, types two lines into a method
   * one character at a time, and checks that the last diagnostics are those of the typed text opened afresh.
   */
  async function typeIntoModel(pauseMs: number): Promise<void> {
    let text = readFileSync(join(ROOT, 'test', 'fixtures', 'incremental', 'model.py'), 'utf8');
    const uri = open(text);
    await client.waitDiagnostics(uri, (p) => p.version === 1);
    await new Promise((r) => setTimeout(r, pauseMs));
    const anchor = '        x = x + self.mlp(self.norm2(x))';
    const line = text.slice(0, text.indexOf(anchor)).split('\n').length - 1;
    let character = anchor.length;
    let version = 1;
    let row = line;
    const typed = '\n        y = torch.fft.rfft2(x).double() + F.gelu(x.view(1, -1))\n        blk = Block(8)';
    for (const ch of typed) {
      version++;
      client.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: row, character }, end: { line: row, character } }, text: ch }],
      });
      if (ch === '\n') {
        row++;
        character = 0;
      } else character++;
    }
    const at = text.indexOf(anchor) + anchor.length;
    text = text.slice(0, at) + typed + text.slice(at);
    const edited = await client.waitDiagnostics(uri, (p) => p.version === version);
    const fresh = open(text);
    const reopened = await client.waitDiagnostics(fresh, (p) => p.version === 1);
    assert.deepEqual(diagnosticKeys(edited.diagnostics), diagnosticKeys(reopened.diagnostics));
    assert.ok(edited.diagnostics.some((d) => d.code === 'MSP202' && d.range.start.line === line + 1), 'the typed .double() is reported');
  }

  test('typing character by character into a model file gives the diagnostics of the typed text opened afresh', async () => {
    // the server analyses edited documents incrementally (only the statements an edit can affect): after every
    // keystroke, the published diagnostics must be those of the whole text, as a newly opened document gets them
    await typeIntoModel(0);
  });

  test('the same typing a moment after opening (the server has readied the document for typing)', async () => {
    // a moment after the document opened last got its diagnostics, the server parses and analyses it again
    // incrementally so that the first keystroke starts from per-statement results: those must be the same
    await typeIntoModel(800);
  });

  test('typing that starts while the server rehearses typing in the document gives the diagnostics of the text opened afresh', async () => {
    // a moment after the readying starts, the server is typing a line into the document and taking it back, one
    // step per turn of its event loop (lsp/typingRehearsal.ts); the first keystroke stops it and must find the
    // editor's text
    for (const pauseMs of [260, 300]) await typeIntoModel(pauseMs);
  });

  test("requests answered while the server rehearses typing see the editor's text", async () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'incremental', 'model.py'), 'utf8');
    const fixAllAt = async (uri: string) => {
      const acts = await actions(uri, undefined, ['source.fixAll.mindport']);
      return applyLspEdits(text, acts[0].edit!.changes![uri]);
    };
    const uri = open(text);
    await client.waitDiagnostics(uri, (p) => p.version === 1);
    const outs: string[] = [];
    for (const ms of [255, 20, 20, 20, 20]) {
      await new Promise((r) => setTimeout(r, ms));
      outs.push(await fixAllAt(uri));
    }
    assert.notEqual(outs[0], text, 'the fixture has safe fixes');
    assert.equal(countSyntaxErrors(outs[0]), 0);
    for (const out of outs) assert.equal(out, outs[0]);
    assert.ok(!outs[0].includes('torch.cat([a, b[0]]'), 'nothing of the rehearsed line');
  });

  test('requests and edits read together while the server rehearses typing give the diagnostics of the text opened afresh', async () => {
    // a larger file (the model's definitions eight times over, renamed), so that the rehearsal lasts; each round
    // sends a hover, a code action and three edits back to back, a moment after the file's diagnostics
    const model = readFileSync(join(ROOT, 'test', 'fixtures', 'incremental', 'model.py'), 'utf8');
    const names = ['make_grid', 'Attention', 'Block', 'Spectral', 'Net', 'Pairs', 'scatter_mean', 'helper', 'train'];
    const copies = Array.from({ length: 8 }, (_, k) => model.replace(new RegExp(`\\b(${names.join('|')})\\b`, 'g'), `$1_${k}`));
    for (const pauseMs of [250, 300, 350]) {
      let text = copies.join('\n');
      const uri = open(text);
      await client.waitDiagnostics(uri, (p) => p.version === 1);
      await new Promise((r) => setTimeout(r, pauseMs));
      const lines = text.split('\n');
      const row = lines.findIndex((l, i) => i > lines.length / 3 && l.startsWith('        x = '));
      void client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: row, character: 12 } });
      void actions(uri, undefined, ['quickfix']);
      const typed = ['\n', '        z = torch.abs(x)', '.double()'];
      let character = lines[row].length;
      let line = row;
      let version = 1;
      for (const t of typed) {
        version++;
        client.conn.sendNotification('textDocument/didChange', {
          textDocument: { uri, version },
          contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: t }],
        });
        if (t === '\n') {
          line++;
          character = 0;
        } else character += t.length;
      }
      const at = lines.slice(0, row + 1).join('\n').length;
      text = text.slice(0, at) + typed.join('') + text.slice(at);
      const edited = await client.waitDiagnostics(uri, (p) => p.version === version);
      const reopened = await client.waitDiagnostics(open(text), (p) => p.version === 1);
      assert.deepEqual(diagnosticKeys(edited.diagnostics), diagnosticKeys(reopened.diagnostics), `after ${pauseMs} ms`);
      assert.ok(edited.diagnostics.some((d) => d.code === 'MSP202' && d.range.start.line === row + 1), 'the typed .double() is reported');
    }
  });

  test('quick fixes and fix all asked for during or after a typing rehearsal edit the editor\'s text', async () => {
    // the rehearsal's analyses move the findings after its typing in place, and one that goes to the whole file
    // (here: typing in a loop body) leaves them moved; a request stops a rehearsal part-way. Either way, the fixes
    // offered must be those of the text as opened (they were offset by the typed line's length). A server of its
    // own: one that had typing elsewhere in the last 2 s would put off the rehearsal.
    const c = await startClient({ rootUri: pathToFileURL(tmp).href });
    try {
      const model = readFileSync(join(ROOT, 'test', 'fixtures', 'incremental', 'model.py'), 'utf8');
      const names = ['make_grid', 'Attention', 'Block', 'Spectral', 'Net', 'Pairs', 'scatter_mean', 'helper', 'train'];
      const text = Array.from({ length: 8 }, (_, k) => model.replace(new RegExp(`\\b(${names.join('|')})\\b`, 'g'), `$1_${k}`)).join('\n');
      const all = { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } };
      const openHere = async () => {
        const path = join(tmp, `rehearsed${++n}.py`);
        const uri = pathToFileURL(path).href;
        c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
        await c.waitDiagnostics(uri, (p) => p.version === 1);
        return uri;
      };
      const offered = async (uri: string) => {
        const ask = (only: string[]) => c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: all, context: { diagnostics: [], only } }) as Promise<CodeAction[]>;
        const quick = await ask(['quickfix']);
        const fixAll = await ask(['source.fixAll.mindport']);
        return {
          quick: quick.map((a) => `${a.title} → ${JSON.stringify(a.edit!.changes![uri])}`),
          fixed: fixAll.length ? applyLspEdits(text, fixAll[0].edit!.changes![uri]) : text,
        };
      };
      const expected = await offered(await openHere()); // asked at once: before any rehearsal in it
      assert.ok(expected.quick.length > 50 && expected.fixed !== text);
      // the rehearsal starts READY_DELAY_MS + REHEARSAL_QUIET_MS (350 ms) after the diagnostics
      for (const pauseMs of [360, 400, 450, 800]) {
        const uri = await openHere();
        await new Promise((r) => setTimeout(r, pauseMs));
        const got = await offered(uri);
        assert.deepEqual(got.quick, expected.quick, `quick fixes after ${pauseMs} ms`);
        assert.equal(got.fixed, expected.fixed, `fix all after ${pauseMs} ms`);
      }
    } finally {
      await c.stop();
    }
  });

  test('typing into one method of a large class, keystroke by keystroke, gives the diagnostics of the text opened afresh', async () => {
    // a class of this size is re-checked method by method (incremental.ts tryMember)
    const methods = Array.from({ length: 90 }, (_, i) => `    def step_${i}(self, x):\n        y = torch.relu(x) + self.fc(x)\n        return F.gelu(y).cuda() * self.step_${(i + 1) % 90}(y)\n`);
    let text = `import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Big(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.fc = nn.Linear(d, d)\n\n${methods.join('\n')}\n`;
    assert.ok(text.length > 10_000);
    const uri = open(text);
    await client.waitDiagnostics(uri, (p) => p.version === 1);
    const anchor = 'return F.gelu(y).cuda() * self.step_31(y)';
    const row = text.slice(0, text.indexOf(anchor)).split('\n').length - 1;
    let at = text.indexOf(anchor) + anchor.length;
    let character = text.slice(text.lastIndexOf('\n', at - 1) + 1, at).length;
    let line = row;
    let version = 1;
    // as VS Code types: an opening bracket brings its closing one, typing that one steps over it
    for (const ch of '\n        w = torch.relu(x).double() + F.gelu(y).float()') {
      if (ch === ')' && text[at] === ')') {
        at++;
        character++;
        continue;
      }
      const insert = ch === '(' ? '()' : ch;
      version++;
      client.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: insert }],
      });
      text = text.slice(0, at) + insert + text.slice(at);
      at++;
      if (ch === '\n') {
        line++;
        character = 0;
      } else character++;
      await client.waitDiagnostics(uri, (p) => p.version === version);
    }
    const edited = await client.diagnosticsMatching(uri, (p) => p.version === version);
    const reopened = await client.waitDiagnostics(open(text), (p) => p.version === 1);
    assert.deepEqual(diagnosticKeys(edited.diagnostics), diagnosticKeys(reopened.diagnostics));
    assert.ok(edited.diagnostics.some((d) => d.code === 'MSP202' && d.range.start.line === row + 1), 'the typed .double() is reported');
  });

  test('broken Python still gets diagnostics for the valid parts, and the server keeps answering', async () => {
    const uri = open('import torch\ndef broken(:\n    pass\nx = torch.abs(y)\n\x00\uFFFF garbage ((((\n');
    const p = await client.waitDiagnostics(uri);
    assert.ok(p.diagnostics.some((d) => msg(d).includes('torch.abs')));
    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 8 } })) as Hover | null;
    assert.ok(hover);
  });
});

describe('code actions', () => {
  test('the quick fix for MSP101 renames the call and adds the import; the result parses', async () => {
    const text = 'import torch\n\nx = torch.abs(y)\n';
    const uri = open(text);
    const p = await client.waitDiagnostics(uri, (p) => codes(p.diagnostics).includes('MSP101'));
    const diag = p.diagnostics.find((d) => d.code === 'MSP101')!;
    const acts = await actions(uri, diag, ['quickfix']);
    const fix = acts.find((a) => a.isPreferred)!;
    assert.ok(fix, JSON.stringify(acts.map((a) => a.title)));
    assert.match(fix.title, /mindspore\.mint\.abs/);
    const out = applyLspEdits(text, fix.edit!.changes![uri]);
    assert.equal(out, 'import torch\nfrom mindspore import mint\n\nx = mint.abs(y)\n');
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('quick fixes still work on a file opened before 100 others (its analysis was let go)', async () => {
    const text = 'import torch\n\nx = torch.abs(y)\n';
    const first = open(text);
    const p = await client.waitDiagnostics(first, (p) => codes(p.diagnostics).includes('MSP101'));
    const others = Array.from({ length: 100 }, (_, i) => open(`import torch\nz${i} = torch.ones(${i + 1})\n`));
    await Promise.all(others.map((u) => client.waitDiagnostics(u, (q) => q.diagnostics.length > 0)));
    const diag = p.diagnostics.find((d) => d.code === 'MSP101')!;
    const fix = (await actions(first, diag, ['quickfix'])).find((a) => a.isPreferred);
    assert.ok(fix, 'a preferred quick fix');
    assert.equal(applyLspEdits(text, fix.edit!.changes![first]), 'import torch\nfrom mindspore import mint\n\nx = mint.abs(y)\n');
    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: first }, position: { line: 2, character: 11 } })) as Hover | null;
    assert.match(JSON.stringify(hover?.contents ?? ''), /mindspore\.mint\.abs/);
  });

  test('source.fixAll.mindport applies only safe fixes, all of them', async () => {
    const text = [
      'import torch',
      'import torch.nn as nn',
      '',
      'a = torch.abs(x)',
      'b = torch.zeros(3, device="cuda")',
      'layer = nn.LayerNorm(8)',
      'c = torch.fft.rfft2(a)',
      '',
    ].join('\n');
    const uri = open(text);
    await client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    const acts = await actions(uri, undefined, ['source.fixAll.mindport']);
    assert.equal(acts.length, 1);
    assert.equal(acts[0].kind, 'source.fixAll.mindport');
    const out = applyLspEdits(text, acts[0].edit!.changes![uri]);
    assert.equal(
      out,
      [
        'import torch',
        'import torch.nn as nn',
        'from mindspore import mint',
        '',
        'a = mint.abs(x)',
        'b = mint.zeros(3)',
        'layer = mint.nn.LayerNorm(8)',
        'c = torch.fft.rfft2(a)',
        '',
      ].join('\n'),
    );
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('"Ignore on this line" adds a noqa comment that then suppresses the finding', async () => {
    const text = 'import torch\nx = torch.abs(y)\n';
    const uri = open(text);
    const p = await client.waitDiagnostics(uri, (p) => codes(p.diagnostics).includes('MSP101'));
    const acts = await actions(uri, p.diagnostics[0], ['quickfix']);
    const ignore = acts.find((a) => a.title.startsWith('Ignore MSP101'))!;
    const out = applyLspEdits(text, ignore.edit!.changes![uri]);
    assert.equal(out, 'import torch\nx = torch.abs(y)  # noqa: MSP101\n');
    client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: out }] });
    const after = await client.waitDiagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(codes(after.diagnostics), []);
  });
});

describe('suppression comments', () => {
  test('noqa forms', async () => {
    const text = [
      'import torch',
      'a = torch.abs(x)  # noqa',
      'b = torch.abs(x)  # noqa: MSP101',
      'c = torch.abs(x)  # noqa: E501',
      'd = torch.abs(x)  # mindport: ignore[MSP101]',
      'e = torch.abs(x)  # noqa: MSP102',
      '',
    ].join('\n');
    const uri = open(text);
    const p = await client.waitDiagnostics(uri);
    assert.deepEqual(p.diagnostics.map((d) => d.range.start.line).sort(), [3, 5]);
    const fileLevel = open('# mindport: noqa\nimport torch\na = torch.abs(x)\n');
    const q = await client.waitDiagnostics(fileLevel);
    assert.equal(q.diagnostics.length, 0);
  });
});

describe('hover', () => {
  test('hover on a torch API shows its MindSpore twins and platforms', async () => {
    const uri = open('import torch.nn.functional as F\ny = F.interpolate(x, size=4)\n');
    await client.waitDiagnostics(uri);
    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 8 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /torch\.nn\.functional\.interpolate/);
    assert.match(value, /mindspore\.mint\.nn\.functional\.interpolate/);
    assert.match(value, /platforms/);
  });

  test('hover in a chained call shows the innermost API under the cursor', async () => {
    const uri = open('import torch\ny = torch.abs(x).sum()\n');
    await client.waitDiagnostics(uri);
    const at = async (character: number) =>
      ((await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character } })) as Hover).contents as { value: string };
    assert.match((await at(11)).value, /^### `torch\.abs`/);
    assert.match((await at(19)).value, /^### `torch\.Tensor\.sum`/);
  });

  test('hover on a rule code in a noqa comment explains the rule', async () => {
    const uri = open('import torch\nx = torch.abs(y)  # noqa: MSP101\n');
    await client.waitDiagnostics(uri);
    const hover = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 29 } })) as Hover;
    assert.match((hover.contents as { value: string }).value, /MSP101.*same-behaviour/s);
  });
});

describe('configuration', () => {
  test('changing the device setting changes the suggestion', async () => {
    const uri = open('import torch.nn.functional as F\ny = F.gelu(x)\n');
    const p = await client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.match(msg(p.diagnostics[0]), /mindspore\.mint\.nn\.functional\.gelu/);
    client.settings = { device: 'GPU' };
    client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const q = await client.waitDiagnostics(uri, (p) => p.diagnostics.some((d) => msg(d).includes('mindspore.ops.gelu')));
    assert.ok(q);
    client.settings = {};
    client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitDiagnostics(uri, (p) => p.diagnostics.some((d) => msg(d).includes('mint.nn.functional.gelu')));
  });

  test('a wrong setting value is reported by name and the default is used', async () => {
    client.settings = { device: 'TPU' };
    client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const uri = open('import torch\nx = torch.abs(y)\n');
    const p = await client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.match(msg(p.diagnostics[0]), /mint\.abs/);
    const note = client.notifications.find((x) => x.method === 'mindport/configProblems');
    assert.ok(note, 'a configProblems notification arrives');
    assert.match(JSON.stringify(note!.params), /mindport\.device.*TPU/);
    client.settings = {};
    client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  test('[tool.mindport] in the closest pyproject.toml applies, and a change to it reloads', async () => {
    const proj = join(tmp, 'proj');
    mkdirSync(join(proj, 'pkg'), { recursive: true });
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "x"\n\n[tool.mindport]\nignore = ["MSP101"]\n');
    const uri = open('import torch\nx = torch.abs(y)\nz = torch.zeros(2, out=w)\n', join(proj, 'pkg'));
    const p = await client.waitDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.ok(!codes(p.diagnostics).includes('MSP101'));
    assert.ok(codes(p.diagnostics).includes('MSP104'));
    writeFileSync(join(proj, 'pyproject.toml'), '[tool.mindport]\nignore = ["MSP104"]\n');
    client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(proj, 'pyproject.toml')).href, type: 2 }] });
    const q = await client.waitDiagnostics(uri, (p) => codes(p.diagnostics).includes('MSP101'));
    assert.ok(!codes(q.diagnostics).includes('MSP104'));
  });

  test('a model class imported from another file of the project: found, also after edits, and again when that file changes', async () => {
    const proj = join(tmp, 'imports');
    mkdirSync(join(proj, 'models'), { recursive: true });
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "x"\n');
    const net = 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n';
    writeFileSync(join(proj, 'models', 'net.py'), net);
    const src = 'from models.net import Net\n\nmodel = Net()\nmodel.eval()\n';
    const lines402 = (p: { diagnostics: Diagnostic[] }) => p.diagnostics.filter((d) => d.code === 'MSP402').map((d) => d.range.start.line);
    // two documents: the first is analysed in the worker thread (only opened), the second here
    const first = open(src, proj, 'eval.py');
    const uri = open(src, proj, 'train.py');
    for (const u of [first, uri]) await client.diagnosticsMatching(u, (p) => lines402(p).join() === '3');
    client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'model.train()\n' }],
    });
    const typed = await client.waitDiagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(lines402(typed), [3, 4]);
    // models/net.py changes on disk: Net is no longer a Module
    writeFileSync(join(proj, 'models', 'net.py'), net.replace('class Net(nn.Module):', 'class Net:'));
    client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(proj, 'models', 'net.py')).href, type: 2 }] });
    await Promise.all([first, uri].map((u) => client.waitDiagnostics(u, (p) => lines402(p).length === 0)));
  });

  test('unsaved edits to a model file: importers see them once they change its classes, and the file again when it closes', async () => {
    const proj = join(tmp, 'unsaved-model');
    mkdirSync(join(proj, 'models'), { recursive: true });
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "x"\n');
    const net = 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n';
    const netPath = join(proj, 'models', 'net.py');
    writeFileSync(netPath, net);
    const lines402 = (p: { diagnostics: Diagnostic[] }) => p.diagnostics.filter((d) => d.code === 'MSP402').map((d) => d.range.start.line);
    const uri = open('from models.net import Net\n\nmodel = Net()\nmodel.eval()\n', proj, 'train.py');
    await client.diagnosticsMatching(uri, (p) => lines402(p).join() === '3');
    const netUri = pathToFileURL(netPath).href;
    client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: netUri, languageId: 'python', version: 1, text: net } });
    // Net stops being a Module in the editor, not on disk
    const plain = 'class Net:\n    def eval(self):\n        return self\n';
    client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: netUri, version: 2 }, contentChanges: [{ text: plain }] });
    await client.waitDiagnostics(uri, (p) => lines402(p).length === 0);
    assert.equal(readFileSync(netPath, 'utf8'), net);
    // an edit inside a method changes nothing train.py sees: it is not analysed again
    let published = 0;
    client.onPublish((p) => void (p.uri === uri && published++));
    client.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: netUri, version: 3 },
      contentChanges: [{ range: { start: { line: 2, character: 15 }, end: { line: 2, character: 19 } }, text: 'None' }],
    });
    await client.waitDiagnostics(netUri, (p) => p.version === 3);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(published, 0);
    // closed without saving: the file on disk again
    client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: netUri } });
    await client.waitDiagnostics(uri, (p) => lines402(p).join() === '3');
  });

  test('a model file open in the editor changes on disk and back, then is edited: importers see the edit', async () => {
    // VS Code reloads an open, unchanged document when its file changes on disk (a didChange) and tells of the
    // file (didChangeWatchedFiles), in either order; the importers analysed on the second must not make the
    // edit that follows look like nothing new
    const proj = join(tmp, 'reloaded-model');
    mkdirSync(join(proj, 'models'), { recursive: true });
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "x"\n');
    const net = 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n';
    const plain = net.replace('class Net(nn.Module):', 'class Net:');
    const netPath = join(proj, 'models', 'net.py');
    const netUri = pathToFileURL(netPath).href;
    writeFileSync(netPath, net);
    const lines402 = (p: { diagnostics: Diagnostic[] }) => p.diagnostics.filter((d) => d.code === 'MSP402').map((d) => d.range.start.line);
    const uri = open('from models.net import Net\n\nmodel = Net()\nmodel.eval()\n', proj, 'train.py');
    await client.diagnosticsMatching(uri, (p) => lines402(p).join() === '3');
    client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: netUri, languageId: 'python', version: 1, text: net } });
    let version = 1;
    const replaceNet = (text: string) =>
      client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: netUri, version: ++version }, contentChanges: [{ text }] });
    const onDisk = (text: string) => {
      writeFileSync(netPath, text);
      replaceNet(text);
      client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: netUri, type: 2 }] });
    };
    onDisk(plain);
    await client.waitDiagnostics(uri, (p) => lines402(p).length === 0);
    await new Promise((r) => setTimeout(r, 1000)); // the server has compared what train.py sees of net.py (300 ms after its change)
    onDisk(net);
    await client.waitDiagnostics(uri, (p) => lines402(p).join() === '3');
    // typed in the editor at once: Net is no longer a Module
    replaceNet(plain);
    await client.waitDiagnostics(uri, (p) => lines402(p).length === 0);
    client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: netUri } });
  });

  test('a project without a root marker: the workspace folder is its root, also one added later', async () => {
    // no .git, pyproject.toml …; scripts/train.py imports models/net.py from the workspace folder
    const ws = join(tmp, 'bare-ws');
    mkdirSync(join(ws, 'models'), { recursive: true });
    mkdirSync(join(ws, 'scripts'), { recursive: true });
    writeFileSync(join(ws, 'models', 'net.py'), 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n');
    const text = 'from models.net import Net\n\nmodel = Net()\nmodel.eval()\n';
    const path = join(ws, 'scripts', 'train.py');
    writeFileSync(path, text);
    const uri = pathToFileURL(path).href;
    // opened with scripts/ as the workspace folder: models/ is outside the project, nothing is found
    const c = await startClient({ rootUri: pathToFileURL(join(ws, 'scripts')).href });
    try {
      c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      assert.deepEqual((await c.waitDiagnostics(uri, () => true)).diagnostics.map((d) => d.code), []);
      // the user adds the project's folder to the workspace (and removes scripts/): the model is found
      c.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
        event: { added: [{ uri: pathToFileURL(ws).href, name: 'bare-ws' }], removed: [{ uri: pathToFileURL(join(ws, 'scripts')).href, name: 'ws' }] },
      });
      await c.waitDiagnostics(uri, (p) => p.diagnostics.map((d) => d.code).join() === 'MSP402');
    } finally {
      await c.stop();
    }
  });
});

describe('notebooks', () => {
  test('an import in cell 1 resolves in cell 3, and diagnostics land on that cell', async () => {
    const nbUri = pathToFileURL(join(tmp, 'nb.ipynb')).href;
    const cells = ['import torch', '%matplotlib inline\nprint(1)', 'x = torch.abs(y)'];
    const cellUris = openNotebook(client, nbUri, cells);
    const p = await client.waitDiagnostics(cellUris[2], (p) => p.diagnostics.length > 0);
    assert.equal(p.diagnostics[0].code, 'MSP101');
    assert.deepEqual(p.diagnostics[0].range.start, { line: 0, character: 4 });
    // the quick fix adds the import to cell 1 and renames in cell 3
    const acts = await actions(cellUris[2], p.diagnostics[0], ['quickfix']);
    const fix = acts.find((a) => a.isPreferred)!;
    assert.deepEqual(Object.keys(fix.edit!.changes!).sort(), [cellUris[0], cellUris[2]].sort());
    assert.equal(applyLspEdits(cells[0], fix.edit!.changes![cellUris[0]]), 'import torch\nfrom mindspore import mint');
    assert.equal(applyLspEdits(cells[2], fix.edit!.changes![cellUris[2]]), 'x = mint.abs(y)');
  });

  test('notebook.source.fixAll.mindport fixes the safe problems of every cell, every pass, the import once', async () => {
    const nbUri = pathToFileURL(join(tmp, 'nb-fixall.ipynb')).href;
    const cells = ['import torch', '%matplotlib inline\nx = torch.abs(y)', 'z = torch.sin(x).cuda()\n%time w = 1\nw = torch.zeros(3, requires_grad=True)'];
    const cellUris = openNotebook(client, nbUri, cells);
    await client.waitDiagnostics(cellUris[2], (p) => p.diagnostics.length > 0);
    // asked once, on the first cell, as notebook.codeActionsOnSave asks
    const acts = await actions(cellUris[0], undefined, ['notebook.source.fixAll.mindport']);
    assert.equal(acts.length, 1);
    assert.equal(acts[0].kind, 'notebook.source.fixAll.mindport');
    const changes = acts[0].edit!.changes!;
    assert.ok(Object.values(changes).every((es) => es.length === 1), 'one edit per changed cell');
    const fixed = cells.map((c, i) => (changes[cellUris[i]] ? applyLspEdits(c, changes[cellUris[i]]) : c));
    assert.deepEqual(fixed, [
      'import torch\nfrom mindspore import mint',
      // the magics come back as they were (the analysis sees them as comments)
      '%matplotlib inline\nx = mint.abs(y)',
      // `.cuda()` overlaps the rename of torch.sin: a second pass in the same save takes it; requires_grad has no
      // place in mint.zeros, so that rename is unsafe and stays for the user to choose
      'z = mint.sin(x)\n%time w = 1\nw = torch.zeros(3, requires_grad=True)',
    ]);
    // the edit applied, as VS Code sends it: the next save has nothing left to fix
    const end = (t: string) => ({ line: t.split('\n').length - 1, character: t.split('\n').pop()!.length });
    client.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: 2 },
      change: { cells: { textContent: fixed.map((t, i) => ({ document: { uri: cellUris[i], version: 2 }, changes: [{ range: { start: { line: 0, character: 0 }, end: end(cells[i]) }, text: t }] })) } },
    });
    await client.waitDiagnostics(cellUris[2], (p) => p.diagnostics.length > 0 && !p.diagnostics.some((d) => msg(d).includes('torch.sin')));
    assert.equal((await actions(cellUris[0], undefined, ['notebook.source.fixAll.mindport'])).length, 0);
    // a plain fix all, or none asked for, is not answered with the notebook's edit
    assert.equal((await actions(cellUris[0], undefined, ['source.fixAll.mindport'])).length, 0);
    assert.ok((await actions(cellUris[1], undefined)).every((a) => a.kind !== 'notebook.source.fixAll.mindport'));
  });
});

describe('notebooks, typed in', () => {
  test('after typing in a cell, every cell has the diagnostics a freshly opened notebook gets', async () => {
    // the joined cells are kept and re-analysed incrementally: the result must not depend on the edits that led to it
    // cell 3 uses `F`, which the last edit imports in cell 0: its diagnostics change while its text does not
    const cells = ['import torch\nimport torch.nn as nn', 'class Net(nn.Module):\n    def forward(self, x):\n        return torch.abs(x)', 'y = torch.fft.rfft(z)', 'q = F.gelu(y)'];
    const typed = '\n        w = torch.relu(x).double()';
    const open = (name: string, texts: string[]) => {
      const nbUri = pathToFileURL(join(tmp, name)).href;
      return { nbUri, uris: openNotebook(client, nbUri, texts) };
    };
    const edited = open('typed.ipynb', cells);
    await client.waitDiagnostics(edited.uris[2], (p) => p.diagnostics.length > 0);
    // type into cell 1 after its last line, one character at a time; then import F in cell 0
    const lines = cells[1].split('\n');
    let line = lines.length - 1;
    let character = lines[line].length;
    let version = 1;
    for (const ch of typed) {
      version++;
      client.conn.sendNotification('notebookDocument/didChange', {
        notebookDocument: { uri: edited.nbUri, version },
        change: { cells: { textContent: [{ document: { uri: edited.uris[1], version }, changes: [{ range: { start: { line, character }, end: { line, character } }, text: ch }] }] } },
      });
      if (ch === '\n') {
        line++;
        character = 0;
      } else character++;
    }
    version++;
    client.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: edited.nbUri, version },
      change: { cells: { textContent: [{ document: { uri: edited.uris[0], version: 2 }, changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import torch.nn.functional as F\n' }] }] } },
    });
    const final = ['import torch.nn.functional as F\n' + cells[0], cells[1] + typed, cells[2], cells[3]];
    const fresh = open('fresh.ipynb', final);
    const wants = await Promise.all(fresh.uris.map((u) => client.diagnosticsMatching(u, () => true)));
    assert.ok(wants[1].diagnostics.some((d) => d.code === 'MSP202'), 'the typed line is analysed (`.double()`: MSP202)');
    assert.ok(wants[3].diagnostics.length > 0, 'F.gelu in cell 3 is flagged once cell 0 imports F');
    for (let i = 0; i < final.length; i++) {
      // the edited notebook's cells once their diagnostics are what the fresh one got (a timeout if never)
      const same = (p: { diagnostics: unknown[] }) => JSON.stringify(p.diagnostics) === JSON.stringify(wants[i].diagnostics);
      assert.ok(same(await client.diagnosticsMatching(edited.uris[i], same)), `cell ${i}`);
    }
    // and the quick fixes of every cell edit the same places (the fixes' edits moved with the typing)
    const fixesOf = async (uris: string[], i: number) => {
      const all = { start: { line: 0, character: 0 }, end: { line: final[i].split('\n').length, character: 0 } };
      const acts = (await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uris[i] }, range: all, context: { diagnostics: [], only: ['quickfix'] } })) as CodeAction[];
      return acts.map((a) => `${a.title} ${JSON.stringify(Object.entries(a.edit!.changes!).map(([u, e]) => [uris.indexOf(u), e]))}`);
    };
    for (let i = 0; i < final.length; i++) {
      const want = await fixesOf(fresh.uris, i);
      assert.deepEqual(await fixesOf(edited.uris, i), want, `quick fixes of cell ${i}`);
      if (i === 1) assert.ok(want.length > 0);
    }
  });
});

describe('workspace scan and report', () => {
  test('scanWorkspace publishes diagnostics for unopened files and the report summarises them', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mindport-ws-'));
    writeFileSync(join(ws, 'a.py'), 'import torch\nx = torch.abs(y)\nz = torch.sin(x)\ntorch.cuda.empty_cache()\n');
    mkdirSync(join(ws, 'node_modules'));
    writeFileSync(join(ws, 'node_modules', 'skip.py'), 'import torch\nx = torch.abs(y)\n');
    const c = await startClient({ rootUri: pathToFileURL(ws).href });
    try {
      const aUri = pathToFileURL(join(ws, 'a.py')).href;
      const wait = c.waitDiagnostics(aUri, (p) => p.diagnostics.length > 0);
      const r = (await c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] })) as { files: number };
      assert.equal(r.files, 1);
      await wait;
      const report = (await c.conn.sendRequest('mindport/report', { scan: false })) as {
        files: { path: string; apiUses: number; mappedSame: number; notNeeded: number; unmapped: number }[];
        readyPercent: number;
        byRule: { code: string }[];
      };
      assert.deepEqual(report.files.map((f) => f.path), ['a.py']);
      // empty_cache has no twin, and the port deletes it: not needed, and ready
      assert.deepEqual(
        report.files.map((f) => [f.apiUses, f.mappedSame, f.notNeeded, f.unmapped]),
        [[3, 2, 1, 0]],
      );
      assert.equal(report.readyPercent, 100);
      assert.equal(report.byRule[0].code, 'MSP101');
    } finally {
      await c.stop();
    }
  });
});

describe('workspace scan cache', () => {
  test('a second scan reads unchanged files back from the extension storage, never writing into the workspace', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mindport-ws-'));
    const store = mkdtempSync(join(tmpdir(), 'mindport-store-'));
    const a = join(ws, 'a.py');
    const b = join(ws, 'b.py');
    writeFileSync(a, 'import torch\nx = torch.abs(y)\n');
    writeFileSync(b, 'import torch\nx = torch.abs(y)\n');
    const cacheDir = join(store, 'scan-cache');
    const c = await startClient({ rootUri: pathToFileURL(ws).href, init: { scanCacheDir: cacheDir } });
    const entries = () => (existsSync(join(cacheDir, 'v2')) ? readdirSync(join(cacheDir, 'v2')).flatMap((d) => readdirSync(join(cacheDir, 'v2', d)).map((f) => join(cacheDir, 'v2', d, f))) : []);
    const scan = async () => (await c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] })) as { files: number };
    const message = (path: string) => String(c.diagnostics.get(pathToFileURL(path).href)?.diagnostics[0]?.message ?? "");
    try {
      assert.equal((await scan()).files, 2);
      const first = message(a);
      assert.match(first, /torch\.abs/);
      assert.equal(entries().length, 2, 'one entry per file');
      assert.deepEqual(readdirSync(ws).sort(), ['a.py', 'b.py'], 'nothing written into the workspace');
      // a kept result is what the next scan publishes: doctor a.py's
      const entry = entries().find((e) => unpackEntry(brotliDecompressSync(readFileSync(e)))?.path === a)!;
      const r = unpackEntry(brotliDecompressSync(readFileSync(entry)))!;
      r.findings[0].message = 'FROM THE CACHE';
      writeFileSync(entry, brotliCompressSync(JSON.stringify(r)));
      // b.py changed on disk: analysed again
      writeFileSync(b, 'import torch\nx = torch.cdist(y, y)\n');
      await scan();
      assert.equal(message(a), 'FROM THE CACHE');
      assert.match(message(b), /torch\.cdist/);
      assert.equal(entries().length, 3);
    } finally {
      await c.stop();
      rmSync(ws, { recursive: true, force: true });
      rmSync(store, { recursive: true, force: true });
    }
  });

  test('without a usable cache folder the scan still runs', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mindport-ws-'));
    writeFileSync(join(ws, 'a.py'), 'import torch\nx = torch.abs(y)\n');
    writeFileSync(join(ws, 'blocker'), 'a file where the cache folder would go');
    const c = await startClient({ rootUri: pathToFileURL(ws).href, init: { scanCacheDir: join(ws, 'blocker', 'cache') } });
    try {
      const r = (await c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] })) as { files: number };
      assert.equal(r.files, 1);
      assert.match(String(c.diagnostics.get(pathToFileURL(join(ws, 'a.py')).href)?.diagnostics[0]?.message), /torch\.abs/);
      assert.ok(c.notifications.some((n) => n.method === 'window/logMessage' && /not cached: cannot write/.test((n.params as { message: string }).message)), 'the reason is logged');
    } finally {
      await c.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('many files opened at once', () => {
  /**
   * Opens `dir`/typed.py, then `burst()` (which opens 8 documents or notebooks and returns the URIs whose
   * publishes mark each of them), then types one character into typed.py. The keystroke's diagnostics must come
   * before half of the 8 (before the queue: after all 8; on a loaded machine a pause in the reads longer than
   * the server's quiet period can let one or two analyses start first).
   */
  async function keystrokeAfterBurst(dir: string, what: string, burst: (c: Awaited<ReturnType<typeof startClient>>) => string[]): Promise<void> {
    const c = await startClient({ pushSettings: true });
    try {
      const typed = `file:///${dir}/typed.py`;
      c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: typed, languageId: 'python', version: 1, text: 'import torch\n' } });
      await c.waitDiagnostics(typed);
      const published: string[] = [];
      c.onPublish((p) => published.push(p.uri === typed && p.version === 2 ? 'typed' : p.uri));
      const marks = burst(c);
      c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: typed, version: 2 }, contentChanges: [{ text: 'import torch\ny = torch.abs(x)\n' }] });
      const d = await c.waitDiagnostics(typed, (p) => p.version === 2, 60_000);
      assert.match(String(d.diagnostics[0]?.message), /torch\.abs/);
      await Promise.all(marks.map((uri) => c.diagnosticsMatching(uri, (p) => p.diagnostics.length > 0, 60_000))); // published already, or to come
      const order = published.filter((u) => u === 'typed' || marks.includes(u));
      const before = order.indexOf('typed');
      assert.ok(before >= 0 && before <= 4, `the keystroke's diagnostics came after ${before} of the 8 ${what}' (${order.join(', ')})`);
    } finally {
      await c.stop();
    }
  }

  test('documents opened together (analysed in a worker thread) get the diagnostics each gets opened alone', async () => {
    const model = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
    const texts = [
      model,
      model.replace('def forward', 'def forward((('), // broken
      'import torch as th\nx = th.zeros(2, 3).double().cuda()\ny = th.fft.rfft2(x)  # noqa: MSP201\n',
      'from torch import nn\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x.view(-1).float64()\n',
      model.replace(/torch\./g, 'th.').replace('import torch', 'import torch as th'),
      '',
    ];
    const uris = texts.map((_, i) => `file:///together/doc${i}.py`);
    const together = await startClient({ pushSettings: true });
    const alone = await startClient({ pushSettings: true });
    try {
      texts.forEach((text, i) => together.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uris[i], languageId: 'python', version: 1, text } }));
      const got = await Promise.all(uris.map((u) => together.diagnosticsMatching(u, () => true, 60_000)));
      for (let i = 0; i < texts.length; i++) {
        alone.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uris[i], languageId: 'python', version: 1, text: texts[i] } });
        const want = await alone.waitDiagnostics(uris[i], () => true, 60_000);
        assert.deepEqual(diagnosticKeys(got[i].diagnostics), diagnosticKeys(want.diagnostics), `doc${i}`);
      }
      assert.ok(got[0].diagnostics.length > 0 && got[2].diagnostics.length > 0);
    } finally {
      await together.stop();
      await alone.stop();
    }
  });

  test('notebooks opened together (analysed in a worker thread) get the diagnostics each gets opened alone', async () => {
    const cells = (n: number) => [
      'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F',
      ...Array.from({ length: 6 + n }, (_, i) => `class Block${i}(nn.Module):\n    def forward(self, x):\n        y = torch.relu(x).view(-1, ${i + 1})\n        return F.gelu(torch.fft.rfft2(y).abs()).cuda()`),
      n % 2 ? 'x = torch.zeros(2).double(' : 'x = torch.zeros(2).double()', // a broken cell in some
    ];
    const notebooks = Array.from({ length: 4 }, (_, n) => ({ uri: `file:///nbtogether/nb${n}.ipynb`, texts: cells(n) }));
    const together = await startClient({ pushSettings: true });
    const alone = await startClient({ pushSettings: true });
    try {
      const cellUris = notebooks.map((nb) => openNotebook(together, nb.uri, nb.texts));
      for (const [n, nb] of notebooks.entries()) {
        openNotebook(alone, nb.uri, nb.texts);
        for (const u of cellUris[n]) {
          const want = await alone.diagnosticsMatching(u, () => true, 60_000);
          const got = await together.diagnosticsMatching(u, () => true, 60_000);
          assert.deepEqual(diagnosticKeys(got.diagnostics), diagnosticKeys(want.diagnostics), u);
        }
      }
      assert.ok((await together.diagnosticsMatching(cellUris[0][1], () => true)).diagnostics.length > 0);
    } finally {
      await together.stop();
      await alone.stop();
    }
  });

  test('a settings change while opened documents are analysed in the worker leaves every one with the new settings', async () => {
    // analyses made with the old settings come back from the worker after the change: they must not count
    const body = 'import torch.nn.functional as F\n' + Array.from({ length: 400 }, (_, i) => `y${i} = F.gelu(x${i}).sum()\n`).join('');
    const uris = Array.from({ length: 6 }, (_, i) => `file:///settingsrace/doc${i}.py`);
    const c = await startClient({ pushSettings: true });
    try {
      for (const [i, uri] of uris.entries()) c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: `${body}# ${i}\n` } });
      await c.diagnosticsMatching(uris[0], () => true, 60_000); // the worker has started on them
      c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { mindport: { device: 'GPU' } } });
      const gpu = (p: { diagnostics: Diagnostic[] }) => p.diagnostics.length > 0 && p.diagnostics.every((d) => !msg(d).includes('mint.nn.functional.gelu'));
      for (const uri of uris) await c.diagnosticsMatching(uri, gpu, 60_000);
      await new Promise((r) => setTimeout(r, 1500)); // anything still in flight has come back
      for (const uri of uris) assert.ok(gpu(c.diagnostics.get(uri)!), `${uri} still has the old settings' diagnostics`);
    } finally {
      await c.stop();
    }
  });

  test('a keystroke sent right after a burst of opened files is analysed before them', async () => {
    const block = (i: number) =>
      `class Block${i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(64, 64)\n\n` +
      `    def forward(self, x):\n        y = torch.relu(self.fc(x)).view(-1, 64)\n        return F.gelu(torch.fft.rfft2(y).abs()).cuda()\n\n\n`;
    const big = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n' + Array.from({ length: 300 }, (_, i) => block(i)).join('');
    await keystrokeAfterBurst('burst', 'opened files', (c) => {
      const opened = Array.from({ length: 8 }, (_, i) => `file:///burst/big${i}.py`);
      for (const uri of opened) c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: `${big}# ${uri}\n` } });
      return opened;
    });
  });

  test('a keystroke sent right after a burst of opened notebooks is analysed before them', async () => {
    // notebooks (restored editor tabs) wait in the same queue as files: each one's analysis used to start from its
    // own timer, all of them in one turn of the event loop, before the keystroke was even read
    const cell = (i: number) =>
      `class Block${i}(nn.Module):\n    def forward(self, x):\n        y = torch.relu(x).view(-1, 64)\n        return F.gelu(torch.fft.rfft2(y).abs()).cuda()\n`;
    await keystrokeAfterBurst('nbburst', 'notebooks', (c) => {
      const notebooks = Array.from({ length: 8 }, (_, n) => `file:///nbburst/nb${n}.ipynb`);
      const texts = ['import torch\nimport torch.nn as nn\nimport torch.nn.functional as F', ...Array.from({ length: 150 }, (_, i) => cell(i))];
      return notebooks.map((nb) => openNotebook(c, nb, texts)[1]);
    });
  });
});

describe('workspace scan while typing', () => {
  /** A workspace of `files` model files of about 3,000 lines each, and one more file to type in. */
  function bigWorkspace(files: number): { ws: string; typed: string } {
    const ws = mkdtempSync(join(tmpdir(), 'mindport-ws-big-'));
    const block = (i: number) =>
      `class Block${i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(64, 64)\n\n` +
      `    def forward(self, x):\n        y = torch.relu(self.fc(x)).view(-1, 64)\n        z = F.gelu(torch.fft.rfft2(y).abs())\n` +
      `        return torch.cat([y, z.sum(dim=1, keepdim=True).expand_as(y)], dim=1).cuda()\n\n\n`;
    const text = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n' + Array.from({ length: 250 }, (_, i) => block(i)).join('');
    for (let i = 0; i < files; i++) writeFileSync(join(ws, `model_${i}.py`), text);
    const typed = join(ws, 'typed.py');
    writeFileSync(typed, 'import torch\n');
    return { ws, typed };
  }

  test('an open document being typed in gets its diagnostics while the scan still runs', async () => {
    const { ws, typed } = bigWorkspace(15);
    // settings pushed: the server asks the client nothing per file, so nothing but the scan's own design lets
    // the edit through while it runs
    const c = await startClient({ rootUri: pathToFileURL(ws).href, pushSettings: true });
    try {
      const uri = pathToFileURL(typed).href;
      c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'import torch\n' } });
      await c.waitDiagnostics(uri);
      let scanDone = false;
      const scan = c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] }).then((r) => {
        scanDone = true;
        return r as { files: number; cancelled: boolean };
      });
      await new Promise((r) => setTimeout(r, 100));
      const typedDiags = c.waitDiagnostics(uri, (p) => p.version === 2, 60000);
      c.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ text: 'import torch\nx = torch.abs(y)\n' }],
      });
      const p = await typedDiags;
      assert.deepEqual(codes(p.diagnostics), ['MSP101']);
      assert.equal(scanDone, false, 'the edit waited for the whole workspace scan');
      const r = await scan;
      assert.deepEqual(r, { files: 16, cancelled: false });
    } finally {
      await c.stop();
    }
  });

  test('the scan analyses at a lower priority than the thread answering the editor (Linux)', { skip: process.platform !== 'linux' }, async () => {
    const { ws } = bigWorkspace(15);
    const c = await startClient({ rootUri: pathToFileURL(ws).href, pushSettings: true });
    try {
      const pid = c.child.pid!;
      /** Each thread's niceness (field 19 of /proc/PID/task/TID/stat), by thread id. */
      const niceness = () => {
        const out = new Map<number, number>();
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          try {
            const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
            out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
          } catch {
            /* the thread ended */
          }
        }
        return out;
      };
      assert.deepEqual([...new Set(niceness().values())], [0], 'before the scan every thread runs at the usual priority');
      let scanDone = false;
      const scan = c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] }).then(() => (scanDone = true));
      let lowered: number[] = [];
      while (!scanDone && lowered.length === 0) {
        await new Promise((r) => setTimeout(r, 20));
        lowered = [...niceness()].filter(([, n]) => n === 10).map(([tid]) => tid);
      }
      const all = niceness();
      await scan;
      assert.ok(lowered.length >= 1, 'a scan worker ran at niceness 10');
      assert.ok(!lowered.includes(pid));
      assert.equal(all.get(pid), 0, 'the main thread keeps its priority');
    } finally {
      await c.stop();
    }
  });

  test('a cancelled scan stops early and says so', async () => {
    const { ws } = bigWorkspace(12);
    const c = await startClient({ rootUri: pathToFileURL(ws).href });
    try {
      const source = new CancellationTokenSource();
      const scan = c.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] }, source.token);
      await new Promise((r) => setTimeout(r, 300));
      source.cancel();
      const r = (await scan) as { files: number; cancelled: boolean };
      assert.equal(r.cancelled, true);
      assert.ok(r.files < 13, `${r.files} files scanned after the cancellation`);
    } finally {
      await c.stop();
    }
  });
});

describe('port this file', () => {
  test('the portFile command returns an edit creating <name>_ms.py with the converted code', async () => {
    const text = 'import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return torch.abs(x)\n';
    const uri = open(text, tmp, 'net.py');
    await client.waitDiagnostics(uri);
    const edit = (await client.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.portFile', arguments: [uri] })) as {
      documentChanges: ({ kind: string; uri: string } | { textDocument: { uri: string }; edits: { newText: string }[] })[];
      summary: { converted: number };
    };
    const create = edit.documentChanges[0] as { kind: string; uri: string };
    assert.equal(create.kind, 'create');
    assert.match(create.uri, /\/net_ms\.py$/);
    const out = (edit.documentChanges[1] as { edits: { newText: string }[] }).edits[0].newText;
    assert.match(out, /class Net\(.*nn\.Cell\):/);
    assert.match(out, /def construct\(self, x\):/);
    assert.match(out, /mint\.abs\(x\)/);
    assert.doesNotMatch(out, /^import torch/m);
    assert.equal(countSyntaxErrors(out), 0);
    assert.ok(edit.summary.converted >= 2, JSON.stringify(edit.summary));
  });

  test('on a notebook it returns an edit creating <name>_ms.ipynb: its code cells ported, the rest of its JSON kept', async () => {
    const nb = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['torch.abs in prose'] },
        { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: ['import torch\n', '%matplotlib inline'] },
        { cell_type: 'code', execution_count: 2, metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: ['1\n'] }], source: ['y = torch.abs(x).cuda()'] },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const path = join(tmp, 'explore.ipynb');
    writeFileSync(path, JSON.stringify(nb, null, 1) + '\n');
    const edit = (await client.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.portFile', arguments: [pathToFileURL(path).href] })) as {
      documentChanges: ({ kind: string; uri: string } | { edits: { newText: string }[] })[];
    };
    assert.match((edit.documentChanges[0] as { uri: string }).uri, /\/explore_ms\.ipynb$/);
    const out = JSON.parse((edit.documentChanges[1] as { edits: { newText: string }[] }).edits[0].newText) as typeof nb;
    assert.deepEqual(out.cells[0], nb.cells[0]);
    assert.deepEqual(out.cells[2].outputs, nb.cells[2].outputs);
    assert.match(out.cells[1].source.join(''), /^%matplotlib inline$/m);
    assert.equal(out.cells[2].source.join(''), 'y = mint.abs(x)');
  });
});
