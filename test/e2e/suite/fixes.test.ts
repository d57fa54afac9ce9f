import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, diagnostics, codeOf, closeAll, waitFor } from './helpers';

describe('quick fixes and fix all', () => {
  before(api);
  after(closeAll);

  it('applies the quick fix for a torch call', async () => {
    const editor = await open('quickfix.py');
    const doc = editor.document;
    const ds = await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'MSP101' && doc.getText(x.range).includes('abs')));
    const diag = ds.find((x) => codeOf(x) === 'MSP101' && doc.getText(x.range).includes('abs'))!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.edit && a.diagnostics?.some((d) => codeOf(d) === 'MSP101')) ?? actions.find((a) => a.edit && a.isPreferred);
    assert.ok(fix?.edit, `no quick fix with an edit: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(actions.some((a) => /noqa|ignore|disable/i.test(a.title)), `no "ignore this line" action: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    const line = doc.lineAt(diag.range.start.line).text;
    assert.doesNotMatch(line, /torch\.abs/, `line after fix: ${line}`);
    assert.match(doc.getText(), /mindspore|\bms\b|mint/, 'the fix did not bring in MindSpore');
    await waitFor(
      () => !vscode.languages.getDiagnostics(doc.uri).some((d) => codeOf(d) === 'MSP101' && d.range.start.line === diag.range.start.line && doc.getText(d.range).includes('abs')),
      'the fixed diagnostic to go away',
    );
    await doc.save();
  });

  it('offers source.fixAll.mindport', async () => {
    const editor = await open('fixall.py');
    const doc = editor.document;
    await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'MSP101'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, doc.lineCount, 0),
      'source.fixAll.mindport',
    );
    assert.ok(
      actions.some((a) => a.kind && vscode.CodeActionKind.SourceFixAll.append('mindport').contains(a.kind)),
      `actions: ${actions.map((a) => `${a.title} (${a.kind?.value})`).join(' | ')}`,
    );
  });

  it('fixes all safe problems on save (editor.codeActionsOnSave)', async () => {
    const editor = await open('fixall.py');
    const doc = editor.document;
    await diagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'MSP101'));
    assert.match(doc.getText(), /torch\.abs\(a\)/);
    await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount, 0), '\n'));
    assert.ok(doc.isDirty);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => !doc.isDirty && !/torch\.abs\(a\)/.test(doc.getText()), 'fix all on save to rewrite torch.abs', 20_000);
    assert.doesNotMatch(doc.getText(), /torch\.exp\(b\)/);
    const onDisk = Buffer.from(await vscode.workspace.fs.readFile(doc.uri)).toString('utf8');
    assert.equal(onDisk, doc.getText(), 'the saved file differs from the editor');
  });
});
