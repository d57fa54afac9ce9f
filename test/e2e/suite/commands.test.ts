import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, wsUri, diagnostics, closeAll, waitFor, find, mindportDiagnostics } from './helpers';

const read = async (uri: vscode.Uri) => Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');

describe('commands', () => {
  before(api);
  after(closeAll);

  it('MindPort: Scan Workspace reports files that were never opened', async () => {
    await vscode.commands.executeCommand('mindport.scanWorkspace', { quiet: true });
    const train = wsUri('train.py');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === train.toString()), 'train.py should not be open');
    await diagnostics(train, (ds) => ds.length >= 3);
  });

  it('MindPort: Show Porting Report opens the report webview', async () => {
    const a = await api();
    const ready = a.reportPanel.whenReady();
    const report = await vscode.commands.executeCommand<{ files: unknown[]; readyPercent: number }>('mindport.showReport');
    assert.ok(report, 'no report');
    assert.ok(report.files.length >= 4, `files in report: ${report.files.length}`);
    assert.ok(report.readyPercent >= 0 && report.readyPercent <= 100);
    const panel = a.reportPanel.webviewPanel;
    assert.ok(panel, 'no report panel');
    assert.equal(panel.viewType, 'mindport.report');
    const t0 = Date.now();
    await Promise.race([
      ready,
      new Promise((_, rej) =>
        setTimeout(() => rej(new Error(`webview script did not run within 45 s (visible ${panel.visible}, active ${panel.active}, ready count ${a.reportPanel.readyCount})`)), 45_000),
      ),
    ]);
    console.log(`      (report webview script ran after ${Date.now() - t0} ms)`);
    const html = a.reportPanel.html ?? '';
    assert.match(html, /ready to port/);
    assert.match(html, /<svg[^>]*aria-label="Top blockers"/);
    assert.match(html, /train\.py/);
    assert.match(html, /Content-Security-Policy/);
    assert.doesNotMatch(html, /(?:src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:|@import/i, 'the report must not load remote resources');
  });

  it('a report row opens the file at the line, and a notebook finding at its cell', async () => {
    const a = await api();
    const report = a.reportPanel.current!;
    const ti = report.files.findIndex((f) => f.path.endsWith('train.py'));
    const finding = report.files[ti].findings[0];
    const editor = await a.reportPanel.openEntry(ti, finding.line, finding.column);
    assert.ok(editor);
    assert.match(editor.document.uri.path, /train\.py$/);
    assert.equal(editor.selection.active.line, finding.line - 1);
    assert.equal(editor.selection.active.character, finding.column - 1);

    const ni = report.files.findIndex((f) => f.path.endsWith('.ipynb'));
    const nf = report.files[ni].findings.find((f) => f.cell !== undefined);
    assert.ok(nf, 'no notebook finding with a cell in the report');
    const cellEditor = await a.reportPanel.openEntry(ni, nf.line, nf.column, nf.cell);
    assert.ok(cellEditor, 'no cell editor');
    assert.equal(cellEditor.document.uri.scheme, 'vscode-notebook-cell');
    assert.match(cellEditor.document.getText(), /torch\.abs/);
    assert.equal(cellEditor.selection.active.line, nf.line - 1);
    assert.ok(vscode.window.activeNotebookEditor?.notebook.uri.path.endsWith('notebook.ipynb'));
  });

  it('exports the report as Markdown, JSON and SARIF', async () => {
    const dir = wsUri('out');
    const md = await vscode.commands.executeCommand<vscode.Uri>('mindport.exportReport', 'markdown', vscode.Uri.joinPath(dir, 'r.md'));
    const json = await vscode.commands.executeCommand<vscode.Uri>('mindport.exportReport', 'json', vscode.Uri.joinPath(dir, 'r.json'));
    const sarif = await vscode.commands.executeCommand<vscode.Uri>('mindport.exportReport', 'sarif', vscode.Uri.joinPath(dir, 'r.sarif'));
    assert.match(await read(md), /^# MindPort porting report/);
    assert.match(await read(md), /Ready to port: \d+(\.\d+)?%/);
    const j = JSON.parse(await read(json));
    assert.ok(Array.isArray(j.files) && j.files.length >= 4);
    // train.py's `.cuda()` has no twin and none is needed: its own column, not "no equivalent"
    assert.match(await read(md), /\| Not needed \| No equivalent \|/);
    assert.ok(j.files.some((f: { path: string; notNeeded: number }) => f.path.endsWith('train.py') && f.notNeeded >= 1), JSON.stringify(j.files));
    const s = JSON.parse(await read(sarif));
    assert.equal(s.version, '2.1.0');
    assert.ok(s.runs[0].results.length > 0, 'SARIF has no results');
    assert.match(s.runs[0].results[0].ruleId, /^MSP\d{3}$/);
  });

  it('MindPort: Port This File previews a diff, then creates <name>_ms.py', async () => {
    const src = wsUri('model.py');
    await open('model.py');
    const none = await vscode.commands.executeCommand('mindport.portFile', src, { apply: false });
    assert.equal(none, undefined);
    const diffTab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'mindport-preview');
    assert.ok(diffTab, 'no diff preview tab');
    const input = diffTab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.toString(), src.toString());
    const preview = await vscode.workspace.openTextDocument(input.modified);
    assert.match(preview.getText(), /mindspore/);
    const target = wsUri('model_ms.py');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(target)), 'model_ms.py must not exist before applying');

    const created = await vscode.commands.executeCommand<vscode.Uri>('mindport.portFile', src, { apply: true });
    assert.equal(created?.toString(), target.toString());
    const text = await read(target);
    assert.match(text, /import mindspore|from mindspore/);
    assert.doesNotMatch(text, /torch\.abs/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), target.toString());
  });

  it('MindPort: Explain API at Cursor shows the mapping', async () => {
    const editor = await open('model.py');
    const pos = find(editor.document, 'nn.Linear').translate(0, 4);
    editor.selection = new vscode.Selection(pos, pos);
    const md = await vscode.commands.executeCommand<string>('mindport.explainApi');
    assert.ok(md, 'no explanation');
    assert.match(md, /torch\.nn\.Linear/);
    assert.match(md, /mindspore/i);
    const byName = await vscode.commands.executeCommand<string>('mindport.explainApi', 'torch.abs');
    assert.match(byName ?? '', /mindspore\.(mint|ops)\.abs/);
  });

  it('MindPort: Select Target Device writes workspace settings and updates the status bar', async () => {
    const a = await api();
    const res = await vscode.commands.executeCommand('mindport.selectTarget', 'Ascend310P', '2.5');
    assert.deepEqual(res, { device: 'Ascend310P', version: '2.5' });
    const cfg = vscode.workspace.getConfiguration('mindport');
    assert.equal(cfg.inspect('device')?.workspaceValue, 'Ascend310P');
    assert.equal(cfg.inspect('mindsporeVersion')?.workspaceValue, '2.5');
    await waitFor(() => a.status.item.text === 'MindSpore 2.5 · Ascend 310P', `status bar text (is "${a.status.item.text}")`, 5_000);
    await vscode.commands.executeCommand('mindport.selectTarget', 'Ascend910B', '2.6');
    await waitFor(() => a.status.item.text === 'MindSpore 2.6 · Ascend 910B', 'status bar text back to default', 5_000);
  });

  it('MindPort: Open Rule Documentation opens docs/rules/<CODE>.md', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('mindport.openRuleDoc', 'MSP101');
    assert.ok(uri, 'no documentation page for MSP101');
    assert.match(uri.path, /docs\/rules\/MSP101\.md$/);
    const missing = await vscode.commands.executeCommand('mindport.openRuleDoc', 'MSP999');
    assert.equal(missing, undefined);
  });

  it('MindPort: Restart Server restarts and diagnostics come back', async () => {
    const a = await api();
    const before = a.client();
    await vscode.commands.executeCommand('mindport.restartServer');
    const after = a.client();
    assert.ok(after?.isRunning(), 'server not running after restart');
    assert.notEqual(before, after);
    const editor = await open('train.py');
    await diagnostics(editor.document.uri, (ds) => ds.length >= 3);
    assert.ok(mindportDiagnostics(editor.document.uri).length >= 3);
  });
});
