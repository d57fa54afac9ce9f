import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, diagnostics, codeOf, find, closeAll } from './helpers';

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
