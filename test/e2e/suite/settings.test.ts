import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, waitFor, closeAll } from './helpers';

describe('settings', () => {
  before(api);
  after(async () => {
    await vscode.workspace.getConfiguration('mindport').update('device', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('mindport').update('device', 'Ascend910B', vscode.ConfigurationTarget.Workspace);
    await closeAll();
  });

  it('a bad value gives a warning naming the setting, and the default is used', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('mindport').update('device', 'Ascend999', vscode.ConfigurationTarget.Workspace);
    const msg = await waitFor(() => a.problemsShown().find((m) => m.includes('mindport.device')), 'a warning naming mindport.device', 10_000);
    assert.match(msg, /Ascend999/);
    assert.match(msg, /Ascend910B/, 'the message should say which value is used instead');
    assert.equal(a.status.item.text, 'MindSpore 2.6 · Ascend 910B');
  });

  it('every setting in the manifest has a description and the schema default', async () => {
    const ext = vscode.extensions.getExtension('mindport.mindport')!;
    const props = ext.packageJSON.contributes.configuration
      .flatMap((c: { properties?: Record<string, unknown> }) => Object.entries(c.properties ?? {}))
      .filter(([k]: [string]) => !k.startsWith('mindport.remote')) as [string, Record<string, unknown>][];
    for (const key of ['mindsporeVersion', 'device', 'targetApi', 'select', 'ignore', 'severity', 'lowConfidence'])
      assert.ok(props.some(([k]) => k === `mindport.${key}`), `mindport.${key} is not contributed`);
    for (const [k, p] of props) {
      assert.ok(p.description || p.markdownDescription, `${k} has no description`);
      assert.ok('default' in p, `${k} has no default`);
    }
    const device = props.find(([k]) => k === 'mindport.device')![1];
    assert.equal(device.scope, 'resource');
    assert.equal(device.default, 'Ascend910B');
  });
});
