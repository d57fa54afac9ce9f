// The "MindPort: …" commands. Each handler also accepts arguments, so tests, keybindings and walkthrough links
// can drive it without a dialog.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import {
  ExecuteCommandRequest,
  WorkDoneProgress,
  type LanguageClient,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
  type WorkDoneProgressEnd,
  type WorkspaceEdit as LspWorkspaceEdit,
} from 'vscode-languageclient/node';
import { Commands, ExplainRequest, ReportRequest, type ExplainParams, type ExplainResult, type ReportParams } from '../../server/src/lsp/protocol';
import { DEVICES, MS_VERSIONS, deviceLabel, readSettings, SECTION } from './settings';
import { normalizeReport, type Report } from './reportModel';
import { ReportPanel, saveExport, type ExportFormat } from './reportView';
import type { TargetStatus } from './statusBar';

export const PREVIEW_SCHEME = 'mindport-preview';
export const EXPLAIN_SCHEME = 'mindport-explain';

/** Read-only virtual documents: the port preview and the API explanations. */
export class VirtualDocs implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(uri: vscode.Uri, text: string): void {
    this.docs.set(uri.toString(), text);
    this.emitter.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}

export interface CommandContext {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  client: () => LanguageClient;
  /** Resolves once the client is running (after a restart too). */
  ready: () => Promise<void>;
  restart: () => Promise<void>;
  status: TargetStatus;
  report: ReportPanel;
  docs: VirtualDocs;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs a server command with work-done progress shown as a cancellable notification. */
async function executeWithProgress<T>(c: CommandContext, title: string, command: string, args: unknown[]): Promise<T | undefined> {
  await c.ready();
  const client = c.client();
  return c.status.whileBusy(() =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const workDoneToken = randomUUID();
        let last = 0;
        const sub = client.onProgress(
          WorkDoneProgress.type,
          workDoneToken,
          (v: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
            if (v.kind === 'end') return;
            const pct = typeof v.percentage === 'number' ? v.percentage : undefined;
            progress.report({ message: v.message, increment: pct !== undefined ? Math.max(0, pct - last) : undefined });
            if (pct !== undefined) last = pct;
          },
        );
        try {
          return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args, workDoneToken }, token)) as T;
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}

function summarize(result: unknown): string {
  if (!result || typeof result !== 'object') return 'MindPort: workspace scanned.';
  const r = result as Record<string, unknown>;
  const files = r.files ?? r.fileCount;
  const findings = r.findings ?? r.findingCount ?? r.diagnostics;
  const n = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'number' ? v : undefined);
  const parts = [n(files) !== undefined ? `${n(files)} files` : '', n(findings) !== undefined ? `${n(findings)} findings` : ''].filter(Boolean);
  return `MindPort: workspace scanned${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}

export async function scanWorkspace(c: CommandContext, opts: { quiet?: boolean } = {}): Promise<unknown> {
  try {
    const result = await executeWithProgress<unknown>(c, 'MindPort: scanning workspace', Commands.scanWorkspace, []);
    const text = summarize(result);
    c.log.info(text);
    if (!opts.quiet) {
      void vscode.window.showInformationMessage(text, 'Show Porting Report', 'Open Problems').then((pick) => {
        if (pick === 'Show Porting Report') void vscode.commands.executeCommand('mindport.showReport');
        if (pick === 'Open Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
    }
    return result;
  } catch (e) {
    c.log.error(`scan: ${errText(e)}`);
    void vscode.window.showErrorMessage(`MindPort: workspace scan failed: ${errText(e)}`);
    return undefined;
  }
}

export async function fetchReport(c: CommandContext, scan = true): Promise<Report | undefined> {
  await c.ready();
  const client = c.client();
  const raw = await c.status.whileBusy(() =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'MindPort: building porting report' },
      () => client.sendRequest(ReportRequest, { scan } satisfies ReportParams),
    ),
  );
  return normalizeReport(raw);
}

export async function showReport(c: CommandContext, opts: { scan?: boolean } = {}): Promise<Report | undefined> {
  try {
    const report = await fetchReport(c, opts.scan ?? true);
    if (!report) return undefined;
    c.report.show(report);
    return report;
  } catch (e) {
    c.log.error(`report: ${errText(e)}`);
    void vscode.window.showErrorMessage(`MindPort: could not build the porting report: ${errText(e)}`);
    return undefined;
  }
}

export async function exportReportCommand(c: CommandContext, format?: ExportFormat, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
  const report = c.report.current ?? (await fetchReport(c, true));
  if (!report) return undefined;
  const fmt =
    format ??
    ((
      await vscode.window.showQuickPick(
        [
          { label: 'Markdown', format: 'markdown' as const },
          { label: 'JSON', format: 'json' as const },
          { label: 'SARIF', format: 'sarif' as const, description: 'for code scanning tools' },
        ],
        { title: 'Export MindPort porting report' },
      )
    )?.format);
  if (!fmt) return undefined;
  return saveExport(report, fmt, typeof target === 'string' ? vscode.Uri.parse(target) : target);
}

/** Applies LSP text edits to a string (edits sorted back to front, positions as UTF-16 offsets). */
export function applyTextEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }) =>
    p.line >= lineStarts.length ? text.length : Math.min(text.length, lineStarts[p.line] + p.character);
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** The new content of each file a WorkspaceEdit touches. */
async function previewContents(edit: LspWorkspaceEdit): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const created = new Set<string>();
  const current = async (uri: string): Promise<string> => {
    if (result.has(uri)) return result.get(uri)!;
    if (created.has(uri)) return '';
    try {
      return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri))).toString('utf8');
    } catch {
      return '';
    }
  };
  for (const ch of edit.documentChanges ?? []) {
    if ('kind' in ch) {
      if (ch.kind === 'create') {
        created.add(ch.uri);
        result.set(ch.uri, '');
      }
      continue;
    }
    result.set(ch.textDocument.uri, applyTextEdits(await current(ch.textDocument.uri), ch.edits as never));
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) result.set(uri, applyTextEdits(await current(uri), edits));
  return result;
}

export interface PortOptions {
  /** Apply without asking (tests, automation). */
  apply?: boolean;
  /** Skip the diff preview. */
  preview?: boolean;
}

export async function portFile(c: CommandContext, arg?: vscode.Uri | string, opts: PortOptions = {}): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
  const uri = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg instanceof vscode.Uri ? arg : active;
  if (!uri || !/\.(py|ipynb)$/.test(uri.path)) {
    void vscode.window.showWarningMessage('MindPort: open a Python file or notebook to port it.');
    return undefined;
  }
  const notebook = uri.path.endsWith('.ipynb');
  try {
    // the server reads a notebook from disk: unsaved changes are saved first, as they are for a file
    const doc = notebook
      ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString())
      : vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    await c.ready();
    const client = c.client();
    const lspEdit = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: Commands.portFile,
      arguments: [uri.toString()],
    })) as LspWorkspaceEdit | null;
    if (!lspEdit || (!lspEdit.documentChanges?.length && !Object.keys(lspEdit.changes ?? {}).length)) {
      void vscode.window.showInformationMessage('MindPort: nothing to port in this file.');
      return undefined;
    }
    const contents = await previewContents(lspEdit);
    const [targetStr, newText] = [...contents.entries()].find(([u]) => u !== uri.toString()) ?? [...contents.entries()][0];
    const target = vscode.Uri.parse(targetStr);
    const name = target.path.split('/').pop()!;
    // a notebook's port is JSON: no text diff of it; the ported notebook opens as a notebook
    if (opts.preview !== false && !notebook) {
      const previewUri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: target.path, query: String(Date.now()) });
      c.docs.set(previewUri, newText);
      await vscode.commands.executeCommand(
        'vscode.diff',
        uri,
        previewUri,
        `${uri.path.split('/').pop()} ↔ ${name} (MindPort preview)`,
        { preview: true },
      );
    }
    let apply = opts.apply;
    if (apply === undefined) {
      const pick = await vscode.window.showInformationMessage(`MindPort: create ${name} with the MindSpore port?`, 'Create File', 'Cancel');
      apply = pick === 'Create File';
    }
    if (!apply) return undefined;
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(lspEdit);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not create ${name}`);
    const created = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (created?.isDirty) await created.save();
    if (notebook) {
      await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(target), { preview: false });
      c.log.info(`ported ${uri.fsPath} → ${target.fsPath}`);
      return target;
    }
    if (opts.preview !== false) await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.window.showTextDocument(target, { preview: false });
    c.log.info(`ported ${uri.fsPath} → ${target.fsPath}`);
    return target;
  } catch (e) {
    c.log.error(`port: ${errText(e)}`);
    void vscode.window.showErrorMessage(`MindPort: could not port ${uri.path.split('/').pop()}: ${errText(e)}`);
    return undefined;
  }
}

export async function explainAtCursor(c: CommandContext, arg?: string | string[]): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const params: ExplainParams = arg
    ? { names: Array.isArray(arg) ? arg : [arg] }
    : editor
      ? { uri: editor.document.uri.toString(), position: { line: editor.selection.active.line, character: editor.selection.active.character } }
      : {};
  if (!params.names && !params.uri) {
    const name = await vscode.window.showInputBox({ title: 'Explain a torch API', placeHolder: 'torch.nn.functional.relu' });
    if (!name) return undefined;
    params.names = [name.trim()];
  }
  try {
    await c.ready();
    const res = (await c.client().sendRequest(ExplainRequest, params)) as ExplainResult | null;
    const entries = res?.entries ?? [];
    if (!entries.length) {
      void vscode.window.showInformationMessage('MindPort: no torch API at the cursor.');
      return undefined;
    }
    const markdown = entries.map((e) => e.markdown).join('\n\n---\n\n');
    const title = entries.map((e) => e.torchApi).join(', ');
    const doc = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${entries[0].torchApi}.md` });
    c.docs.set(doc, `<!-- MindPort: ${title} -->\n${markdown}\n`);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', doc);
    } catch {
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
    return markdown;
  } catch (e) {
    c.log.error(`explain: ${errText(e)}`);
    void vscode.window.showErrorMessage(`MindPort: explain failed: ${errText(e)}`);
    return undefined;
  }
}

const DEVICE_INFO: Record<string, string> = {
  Ascend910B: 'Atlas 800T A2 / 900 A2 training (CANN, mint API)',
  Ascend310P: 'Atlas 300I Duo inference',
  GPU: 'NVIDIA GPU (CUDA) or Hygon DCU',
  CPU: 'CPU only',
};

export async function selectTarget(c: CommandContext, device?: string, version?: string): Promise<{ device: string; version: string } | undefined> {
  const scope = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const { settings } = readSettings(scope);
  if (!device) {
    const pick = await vscode.window.showQuickPick(
      DEVICES.map((d) => ({ label: deviceLabel(d), description: DEVICE_INFO[d], detail: undefined, device: d, picked: d === settings.device })),
      { title: 'MindPort: target device (1/2)', placeHolder: `Current: ${deviceLabel(settings.device)}` },
    );
    if (!pick) return undefined;
    device = pick.device;
  }
  if (!version) {
    const pick = await vscode.window.showQuickPick(
      [...MS_VERSIONS].reverse().map((v) => ({ label: `MindSpore ${v}`, description: v === settings.mindsporeVersion ? 'current' : undefined, version: v })),
      { title: 'MindPort: MindSpore version (2/2)', placeHolder: `Current: ${settings.mindsporeVersion}` },
    );
    if (!pick) return undefined;
    version = pick.version;
  }
  if (!(DEVICES as readonly string[]).includes(device) || !(MS_VERSIONS as readonly string[]).includes(version)) {
    void vscode.window.showWarningMessage(`MindPort: unknown target ${device} / MindSpore ${version}.`);
    return undefined;
  }
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('device', device, target);
  await config.update('mindsporeVersion', version, target);
  c.status.update();
  return { device, version };
}

export async function openRuleDoc(c: CommandContext, code?: string): Promise<vscode.Uri | undefined> {
  const dir = vscode.Uri.joinPath(c.context.extensionUri, 'docs', 'rules');
  if (!code) {
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const diag = vscode.languages
        .getDiagnostics(editor.document.uri)
        .find((d) => d.range.contains(editor.selection.active) && /^MSP\d+$/.test(codeOf(d)));
      if (diag) code = codeOf(diag);
    }
  }
  if (!code) {
    let names: string[] = [];
    try {
      names = (await vscode.workspace.fs.readDirectory(dir)).map(([n]) => n).filter((n) => /^MSP\d+\.md$/.test(n)).sort();
    } catch {
      /* no docs shipped */
    }
    const pick = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n.replace(/\.md$/, '') })),
      { title: 'MindPort: open rule documentation', placeHolder: 'Rule code, e.g. MSP101' },
    );
    if (!pick) return undefined;
    code = pick.label;
  }
  code = code.trim().toUpperCase();
  const uri = vscode.Uri.joinPath(dir, `${code}.md`);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(`MindPort: no documentation for rule ${code}.`);
    return undefined;
  }
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  return uri;
}

function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (code === undefined) return '';
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function registerCommands(
  c: CommandContext,
  reg: (id: string, fn: (...args: never[]) => unknown) => vscode.Disposable = vscode.commands.registerCommand,
): vscode.Disposable[] {
  return [
    reg('mindport.scanWorkspace', (opts?: { quiet?: boolean }) => scanWorkspace(c, opts)),
    reg('mindport.showReport', (opts?: { scan?: boolean }) => showReport(c, opts)),
    reg('mindport.exportReport', (format?: ExportFormat, target?: vscode.Uri | string) => exportReportCommand(c, format, target)),
    reg('mindport.portFile', (uri?: vscode.Uri | string, opts?: PortOptions | vscode.Uri[]) =>
      portFile(c, uri, opts && !Array.isArray(opts) ? opts : {}),
    ),
    reg('mindport.explainApi', (names?: string | string[]) => explainAtCursor(c, names)),
    reg('mindport.selectTarget', (device?: string, version?: string) => selectTarget(c, device, version)),
    reg('mindport.restartServer', () => c.restart()),
    reg('mindport.openRuleDoc', (code?: string) => openRuleDoc(c, typeof code === 'string' ? code : undefined)),
  ];
}
