import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, closeAll } from './helpers';

describe('activation', () => {
  after(closeAll);

  it('activates on a Python file and starts the language server over stdio', async () => {
    await open('model.py');
    const a = await api();
    const client = a.client();
    assert.ok(client, 'no language client');
    assert.ok(client.isRunning(), 'language client is not running');
    assert.ok(client.initializeResult?.capabilities, 'no server capabilities');
  });

  it('the server offers quick fixes and source.fixAll.mindport', async () => {
    const caps = (await api()).client()!.initializeResult!.capabilities;
    const provider = caps.codeActionProvider;
    assert.ok(provider, 'server has no code action provider');
    if (typeof provider === 'object' && provider.codeActionKinds) {
      assert.ok(provider.codeActionKinds.includes('quickfix'), `kinds: ${provider.codeActionKinds}`);
      assert.ok(
        provider.codeActionKinds.some((k) => k === 'source.fixAll.mindport' || k === 'source.fixAll'),
        `kinds: ${provider.codeActionKinds}`,
      );
    }
    assert.ok(caps.hoverProvider, 'server has no hover provider');
    assert.ok(caps.notebookDocumentSync, 'server does not sync notebooks');
  });

  it('shows the target in the status bar: MindSpore 2.6 · Ascend 910B', async () => {
    const a = await api();
    assert.equal(a.status.item.text, 'MindSpore 2.6 · Ascend 910B');
    assert.equal((a.status.item.command as string) ?? '', 'mindport.selectTarget');
  });

  it('registers every command of the manifest', async () => {
    const ext = vscode.extensions.getExtension('mindport.mindport')!;
    const declared: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `commands declared but not registered: ${missing.join(', ')}`);
  });
});
