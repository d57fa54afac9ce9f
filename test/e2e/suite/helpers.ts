// Helpers for the end-to-end suite: the extension API, workspace files, and waiting for the server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MindPortApi } from '../../../client/src/extension';

export const EXT_ID = 'mindport.mindport';

export async function api(): Promise<MindPortApi> {
  const ext = vscode.extensions.getExtension<MindPortApi>(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is not loaded`);
  const a = ext.isActive ? ext.exports : await ext.activate();
  await a.ready();
  return a;
}

export function wsUri(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  return vscode.window.showTextDocument(doc, { preview: false });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`);
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code ?? '');
}

export function mindportDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => /^MSP\d{3}$/.test(codeOf(d)));
}

/** Waits for MindPort diagnostics on a document, optionally until one matches. */
export function diagnostics(uri: vscode.Uri, pred: (ds: vscode.Diagnostic[]) => boolean = (ds) => ds.length > 0, ms = 30_000) {
  return waitFor(() => {
    const ds = mindportDiagnostics(uri);
    return pred(ds) ? ds : undefined;
  }, `MindPort diagnostics on ${vscode.workspace.asRelativePath(uri)}`, ms);
}

export function find(doc: vscode.TextDocument, text: string, nth = 0): vscode.Position {
  const src = doc.getText();
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = src.indexOf(text, idx + 1);
    assert.ok(idx >= 0, `"${text}" not found in ${doc.uri.path}`);
  }
  return doc.positionAt(idx);
}

/** Restores a workspace file from the fixture copy kept next to it (`<name>.orig`), used by tests that edit files. */
export async function resetFile(rel: string, content: string): Promise<void> {
  const uri = wsUri(rel);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), content);
    await vscode.workspace.applyEdit(edit);
    await doc.save();
  } else await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
