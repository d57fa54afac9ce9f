import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, wsUri, diagnostics, codeOf, closeAll } from './helpers';

describe('notebooks', () => {
  before(api);
  after(closeAll);

  it('reports torch calls in a cell that uses an import from another cell', async () => {
    const nb = await vscode.workspace.openNotebookDocument(wsUri('notebook.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(cells.length, 2);
    assert.equal(cells[1].document.languageId, 'python');
    const ds = await diagnostics(cells[1].document.uri, (d) => d.some((x) => codeOf(x) === 'MSP101'));
    const abs = ds.find((d) => cells[1].document.getText(d.range).includes('abs'));
    assert.ok(abs, `no finding on torch.abs in cell 3: ${ds.map(codeOf)}`);
    assert.ok(ds.some((d) => cells[1].document.getText(d.range).includes('Linear')), 'nn.Linear (imported as nn in cell 1) not reported');
    // the import cell itself has no torch call to report
    assert.equal(vscode.languages.getDiagnostics(cells[0].document.uri).filter((d) => /^MSP1/.test(codeOf(d))).length, 0);
  });

  it('MindPort: Port This File on the open notebook creates <name>_ms.ipynb and opens it as a notebook', async () => {
    const nb = await vscode.workspace.openNotebookDocument(wsUri('notebook.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    // no argument: the command ports what the active notebook editor shows
    const created = await vscode.commands.executeCommand<vscode.Uri>('mindport.portFile', undefined, { apply: true });
    assert.equal(created?.toString(), wsUri('notebook_ms.ipynb').toString());
    const ported = vscode.window.activeNotebookEditor?.notebook;
    assert.equal(ported?.uri.toString(), created.toString(), 'the ported notebook is open in a notebook editor');
    assert.deepEqual(
      ported.getCells().map((c) => c.kind),
      nb.getCells().map((c) => c.kind),
      'the same cells, markdown included',
    );
    const code = ported.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code).map((c) => c.document.getText());
    assert.match(code[1], /mint\.abs\(/);
    assert.doesNotMatch(code.join('\n'), /torch\.abs/);
  });
});
