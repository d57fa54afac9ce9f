import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, diagnostics, codeOf, find, closeAll, wsUri } from './helpers';

describe('diagnostics and hover', () => {
  before(api);
  after(closeAll);

  it('reports torch calls with MindPort rule codes', async () => {
    const editor = await open('model.py');
    const ds = await diagnostics(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'MSP101'));
    const codes = new Set(ds.map(codeOf));
    assert.ok(codes.has('MSP101'), `codes: ${[...codes]}`);
    assert.ok([...codes].some((c) => c !== 'MSP101'), `expected a second kind of finding (nn.Linear → Dense differs), got ${[...codes]}`);
    const abs = ds.find((d) => codeOf(d) === 'MSP101' && editor.document.getText(d.range).includes('abs'));
    assert.ok(abs, `no MSP101 on torch.abs: ${ds.map((d) => `${codeOf(d)}@${d.range.start.line}:${editor.document.getText(d.range)}`).join(', ')}`);
    assert.equal(abs.range.start.line, find(editor.document, 'torch.abs').line);
  });

  it('links each diagnostic to its rule documentation', async () => {
    const editor = await open('model.py');
    const ds = await diagnostics(editor.document.uri);
    for (const d of ds) {
      assert.ok(typeof d.code === 'object' && d.code, `${codeOf(d)} has no codeDescription`);
      const target = (d.code as { target: vscode.Uri }).target.toString();
      assert.match(target, new RegExp(`docs/rules/${codeOf(d)}\\.md$`));
    }
    assert.ok(ds.every((d) => /mindport/i.test(d.source ?? '')), `sources: ${ds.map((d) => d.source)}`);
  });

  it('knows a model class imported from another file, and sees that file change on disk', async () => {
    // evaluate.py: `from model import Net` … `net.eval()` (train.py stays closed for the scan test)
    const editor = await open('evaluate.py');
    const uri = editor.document.uri;
    const evalLine = find(editor.document, 'net.eval()').line;
    const setTrain = (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === 'MSP402' && d.range.start.line === evalLine);
    await diagnostics(uri, setTrain);
    const model = wsUri('model.py');
    const original = await vscode.workspace.fs.readFile(model);
    const text = Buffer.from(original).toString('utf8');
    assert.match(text, /^class Net\(nn\.Module\):/m);
    try {
      // Net is no longer a Module: the file watcher tells the server, which analyses evaluate.py again
      await vscode.workspace.fs.writeFile(model, Buffer.from(text.replace('class Net(nn.Module):', 'class Net:'), 'utf8'));
      await diagnostics(uri, (ds) => ds.length > 0 && !setTrain(ds), 20_000);
    } finally {
      await vscode.workspace.fs.writeFile(model, original);
    }
    await diagnostics(uri, setTrain, 20_000);
  });

  it('sees unsaved edits to the model file once its classes change, and the saved file after a revert', async () => {
    const evalDoc = (await open('evaluate.py')).document;
    const evalLine = find(evalDoc, 'net.eval()').line;
    const setTrain = (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === 'MSP402' && d.range.start.line === evalLine);
    await diagnostics(evalDoc.uri, setTrain);
    const editor = await open('model.py');
    const header = 'class Net(nn.Module):';
    const at = find(editor.document, header);
    try {
      // typed in the editor, not saved: Net is no longer a Module
      assert.ok(await editor.edit((eb) => eb.replace(new vscode.Range(at, at.translate(0, header.length)), 'class Net:')));
      assert.ok(editor.document.isDirty);
      await diagnostics(evalDoc.uri, (ds) => ds.length > 0 && !setTrain(ds), 20_000);
    } finally {
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.ok(!editor.document.isDirty);
    await diagnostics(evalDoc.uri, setTrain, 20_000);
  });

  it('hovers over a torch API with its MindSpore twin', async () => {
    const editor = await open('model.py');
    await diagnostics(editor.document.uri);
    // `F` is `torch.nn.functional` imported under an alias
    const pos = find(editor.document, 'F.relu').translate(0, 'F.'.length + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, pos);
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n');
    assert.match(text, /mindspore/i, `hover: ${text}`);
    assert.match(text, /torch\.nn\.functional\.relu/, `hover: ${text}`);
    assert.match(text, /mindspore\.(mint\.nn\.functional|ops)\.relu/, `hover: ${text}`);
  });
});
