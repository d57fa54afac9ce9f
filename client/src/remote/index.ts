// "Run on Ascend / Run on DCU" in VS Code: commands, the `mindport-remote` task type (CustomExecution +
// Pseudoterminal, reusable from tasks.json), and a DiagnosticCollection for errors mapped back from the host.
// Hosts come only from the user-level value of `mindport.remote.hosts` (machine scope, restricted in untrusted
// workspaces); workspace values are never read, and every handler refuses in an untrusted workspace.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { parseHosts, formatProblem, loadProjectRun, resolveEntry, type HostConfig } from '../../../server/src/remote/hostsConfig';
import { runRemote, formatSummary, type RunEvent, type RunSummary } from '../../../server/src/remote/run';
import type { RunMode } from '../../../server/src/remote/preflight';
import type { RemoteDiagnostic } from '../../../server/src/remote/errorMap';
import { DIRECT, type Registrar } from '../registrar';

export const TASK_TYPE = 'mindport-remote';

/** What a `mindport-remote` task (or a command argument) may say: a host by name and what to run, nothing else. */
export interface RemoteTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  host: string;
  file?: string;
  args?: string[];
  mode?: RunMode;
  launcher?: HostConfig['launcher'];
  timeout?: number;
}

const UNTRUSTED = 'MindPort: remote runs are disabled in Restricted Mode. Trust this workspace to run it on a remote host.';

/** Hosts from the user (global) settings only. */
export function readUserHosts(log?: vscode.LogOutputChannel): { hosts: Map<string, HostConfig>; problems: string[] } {
  const inspected = vscode.workspace.getConfiguration('mindport').inspect<unknown>('remote.hosts');
  const r = parseHosts(inspected?.globalValue);
  const problems = r.problems.map((p) => formatProblem(p, 'mindport.remote.hosts'));
  for (const p of problems) log?.warn(p);
  if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined)
    log?.warn('mindport.remote.hosts in workspace settings is ignored: define hosts in your user settings');
  return { hosts: r.hosts, problems };
}

const toCrlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

class RemoteRunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly ctl = new AbortController();

  constructor(
    private readonly def: RemoteTaskDefinition,
    private readonly remote: RemoteController,
  ) {}

  open(): void {
    void this.run();
  }

  close(): void {
    this.ctl.abort();
  }

  handleInput(data: string): void {
    if (data === '\x03') {
      this.write('^C\n');
      this.ctl.abort();
    }
  }

  private write(text: string): void {
    this.writeEmitter.fire(toCrlf(text));
  }

  private async run(): Promise<void> {
    let code = 1;
    try {
      const s = await this.remote.execute(this.def, this.ctl, (t) => this.write(t));
      code = s?.exitCode ?? 2;
    } catch (e) {
      this.write(`\nMindPort: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    this.closeEmitter.fire(code);
  }
}

class RemoteController {
  readonly diagnostics: vscode.DiagnosticCollection;
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.diagnostics = vscode.languages.createDiagnosticCollection('mindport-remote');
  }

  cancelAll(): number {
    const n = this.running.size;
    for (const c of this.running) c.abort();
    return n;
  }

  /** Runs a definition; `write` receives terminal text. Returns undefined when refused before starting. */
  async execute(def: RemoteTaskDefinition, ctl: AbortController, write: (text: string) => void): Promise<RunSummary | undefined> {
    if (!vscode.workspace.isTrusted) {
      write(UNTRUSTED + '\n');
      void vscode.window.showErrorMessage(UNTRUSTED);
      return undefined;
    }
    const { hosts, problems } = readUserHosts(this.log);
    const host = hosts.get(def.host);
    if (!host) {
      const msg = `MindPort: no valid host "${def.host}" in your user setting mindport.remote.hosts${problems.length ? ` (${problems.join('; ')})` : ''}`;
      write(msg + '\n');
      void vscode.window.showErrorMessage(msg);
      return undefined;
    }
    const file = def.file;
    if (!file) {
      write('MindPort: no file to run (open a Python file or set "file" in the task)\n');
      return undefined;
    }
    const uri = vscode.Uri.file(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const localRoot = folder?.uri.fsPath ?? dirname(file);
    this.running.add(ctl);
    this.diagnostics.clear();
    const onEvent = (e: RunEvent) => this.onEvent(e, write);
    try {
      write(`MindPort: ${def.mode === 'cpu' ? 'MindSpore port on CPU' : host.kind === 'dcu' ? 'PyTorch baseline on DCU' : 'Ascend'} run of ${vscode.workspace.asRelativePath(uri)} on ${def.host} (${host.destination})\n`);
      const summary = await runRemote({
        host, hostName: def.host, localRoot, entry: file, args: def.args ?? [], mode: def.mode, launcher: def.launcher,
        timeoutSec: def.timeout, signal: ctl.signal, onEvent, ssh: { log: (l) => this.log.debug(l) },
      });
      this.notify(summary);
      return summary;
    } finally {
      this.running.delete(ctl);
    }
  }

  private onEvent(e: RunEvent, write: (text: string) => void): void {
    switch (e.type) {
      case 'output':
        write(e.text);
        break;
      case 'step': {
        const mark = e.status === 'start' ? '▶' : e.status === 'done' ? '✔' : e.status === 'skipped' ? '…' : '✖';
        write(`\x1b[1m${mark} ${e.step}\x1b[0m${e.message ? ` ${e.message}` : ''}\n`);
        this.log.info(`${e.step} ${e.status}: ${e.message}`);
        break;
      }
      case 'info':
        write(`  ${e.message}\n`);
        this.log.info(e.message);
        break;
      case 'warning':
        write(`  \x1b[33mwarning:\x1b[0m ${e.message}\n`);
        this.log.warn(e.message);
        break;
      case 'error':
        write(`  \x1b[31merror:\x1b[0m ${e.message}\n`);
        this.log.error(e.message);
        break;
      case 'preflight':
        for (const d of e.result.selected) this.log.info(`device ${d.id} ${d.name} ${d.health} busy=${d.busy}`);
        break;
      case 'diagnostics':
        this.publish(e.diagnostics);
        if (e.diagnostics.length) write(`  ${e.diagnostics.length} problem(s) mapped to your files: see the Problems view\n`);
        break;
      case 'summary':
        break;
    }
  }

  private publish(diags: RemoteDiagnostic[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diags) {
      const line = Math.max(0, d.line - 1);
      const col = Math.max(0, (d.column ?? 1) - 1);
      const endLine = Math.max(line, (d.endLine ?? d.line) - 1);
      const endCol = d.endColumn !== undefined ? Math.max(0, d.endColumn - 1) : d.column !== undefined ? col + 1 : 1000;
      const diag = new vscode.Diagnostic(
        new vscode.Range(line, col, endLine, endCol),
        d.message,
        d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : d.severity === 'info' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error,
      );
      diag.source = 'MindPort remote';
      diag.code = d.rule ? { value: `${d.code} (${d.rule})`, target: vscode.Uri.joinPath(this.context.extensionUri, 'docs', 'rules', `${d.rule}.md`) } : d.code;
      const list = byFile.get(d.file) ?? [];
      list.push(diag);
      byFile.set(d.file, list);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  private notify(s: RunSummary): void {
    const text = `MindPort ${s.hostName}: ${formatSummary(s)}`;
    this.log.info(text);
    const open = 'Open Log';
    const show = s.status === 'ok' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text.length > 400 ? text.slice(0, 399) + '…' : text, open).then((pick) => {
      if (pick === open) void vscode.window.showTextDocument(vscode.Uri.file(`${s.logDir}/output.log`));
    });
  }

  task(def: RemoteTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope = vscode.TaskScope.Workspace): vscode.Task {
    const name = `${def.mode === 'cpu' ? 'CPU' : 'run'} ${def.file ? vscode.workspace.asRelativePath(def.file) : ''} on ${def.host}`.replace(/\s+/g, ' ');
    const t = new vscode.Task(def, scope, name, 'MindPort', new vscode.CustomExecution(async (resolved) => new RemoteRunTerminal(resolved as RemoteTaskDefinition, this)));
    t.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    return t;
  }
}

interface CommandArgs {
  host?: string;
  file?: string;
  args?: string[];
  mode?: RunMode;
}

async function pickHost(kind: HostConfig['kind'] | undefined, wanted: string | undefined, log: vscode.LogOutputChannel, preferred?: string): Promise<string | undefined> {
  const { hosts, problems } = readUserHosts(log);
  if (wanted) return wanted;
  const names = [...hosts].filter(([, h]) => !kind || h.kind === kind).map(([n]) => n);
  if (preferred && names.includes(preferred)) return preferred;
  if (names.length === 1) return names[0];
  if (!names.length) {
    const open = 'Open User Settings';
    const pick = await vscode.window.showErrorMessage(
      `MindPort: no ${kind ?? ''} host defined in the user setting mindport.remote.hosts${problems.length ? ` (${problems[0]})` : ''}.`,
      open,
    );
    if (pick === open) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    names.map((n) => ({ label: n, description: `${hosts.get(n)!.destination} (${hosts.get(n)!.kind})` })),
    { placeHolder: 'Run on which host?' },
  );
  return pick?.label;
}

function currentFile(arg?: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.uri.scheme === 'file') return ed.document.uri.fsPath;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    const p = loadProjectRun(folder.uri.fsPath);
    if (p.run.entry) return resolveEntry(folder.uri.fsPath, p.run.entry);
  }
  return undefined;
}

function projectDefaults(file: string | undefined): { host?: string; args: string[] } {
  const folder = file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : vscode.workspace.workspaceFolders?.[0];
  if (!folder) return { args: [] };
  const p = loadProjectRun(folder.uri.fsPath);
  return { host: p.run.host, args: p.run.args };
}

export function registerRemote(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, registrar: Registrar = DIRECT): void {
  const remote = new RemoteController(context, log);
  context.subscriptions.push(remote.diagnostics);

  const refuseUntrusted = (): boolean => {
    if (vscode.workspace.isTrusted) return false;
    void vscode.window.showErrorMessage(UNTRUSTED);
    return true;
  };

  const start = async (kind: HostConfig['kind'], arg: unknown): Promise<void> => {
    if (refuseUntrusted()) return;
    const a: CommandArgs = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as CommandArgs) : {};
    const file = a.file ?? currentFile(arg);
    if (!file) {
      void vscode.window.showErrorMessage('MindPort: open the Python file to run, or set entry in [tool.mindport.run] of pyproject.toml.');
      return;
    }
    const proj = projectDefaults(file);
    const host = await pickHost(kind, a.host, log, proj.host);
    if (!host) return;
    let mode = a.mode;
    if (kind === 'dcu' && !mode) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'PyTorch original on the DCU (baseline)', description: 'runs under DTK', mode: 'baseline' as const },
          { label: "MindSpore port on the host's CPU", description: 'MindSpore has no DCU backend', mode: 'cpu' as const },
        ],
        { placeHolder: 'MindSpore does not run on Hygon DCUs. What should run?' },
      );
      if (!pick) return;
      mode = pick.mode;
    }
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    const def: RemoteTaskDefinition = { type: TASK_TYPE, host, file, args: a.args ?? proj.args, ...(mode ? { mode } : {}) };
    await vscode.tasks.executeTask(remote.task(def, folder ?? vscode.TaskScope.Workspace));
  };

  context.subscriptions.push(
    registrar.command('mindport.runOnAscend', (arg?: unknown) => start('ascend', arg)),
    registrar.command('mindport.runOnDcu', (arg?: unknown) => start('dcu', arg)),
    registrar.command('mindport.checkHost', async (arg?: unknown): Promise<RunSummary | undefined> => {
      if (refuseUntrusted()) return undefined;
      const name = await pickHost(undefined, typeof arg === 'string' ? arg : (arg as CommandArgs | undefined)?.host, log);
      if (!name) return undefined;
      const host = readUserHosts(log).hosts.get(name);
      if (!host) {
        void vscode.window.showErrorMessage(`MindPort: no valid host "${name}" in mindport.remote.hosts`);
        return undefined;
      }
      const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? context.globalStorageUri.fsPath;
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `MindPort: checking ${name}`, cancellable: true },
        async (progress, token) => {
          const ctl = new AbortController();
          token.onCancellationRequested(() => ctl.abort());
          const lines: string[] = [];
          const s = await runRemote({
            host, hostName: name, localRoot: root, entry: root, preflightOnly: true, signal: ctl.signal,
            onEvent: (e) => {
              if (e.type === 'step') progress.report({ message: `${e.step}: ${e.status}` });
              if (e.type === 'warning' || e.type === 'error') lines.push(e.message);
              if ('message' in e) log.info(`${name}: ${e.message}`);
              if (e.type === 'preflight') for (const d of e.result.devices) log.info(`${name}: device ${d.id} ${d.name} ${d.health}${d.busy ? ' busy' : ''}`);
            },
          });
          const msg = s.status === 'ok' ? `MindPort: ${name} is ready${lines.length ? ` (${lines.join('; ')})` : ''}` : `MindPort: ${name}: ${s.lastError ?? s.status}`;
          void (s.status === 'ok' ? vscode.window.showInformationMessage(msg) : vscode.window.showErrorMessage(msg));
          return s;
        },
      );
    }),
    registrar.command('mindport.cancelRun', () => {
      const n = remote.cancelAll();
      if (!n) void vscode.window.showInformationMessage('MindPort: no remote run is in progress.');
      return n;
    }),
    registrar.taskProvider(TASK_TYPE, {
      provideTasks: () => {
        if (!vscode.workspace.isTrusted) return [];
        const folder = vscode.workspace.workspaceFolders?.[0];
        if (!folder) return [];
        const p = loadProjectRun(folder.uri.fsPath);
        if (!p.run.entry) return [];
        const file = resolveEntry(folder.uri.fsPath, p.run.entry);
        return [...readUserHosts().hosts.keys()].map((host) => remote.task({ type: TASK_TYPE, host, file, args: p.run.args }, folder));
      },
      resolveTask: (task) => {
        const d = task.definition as RemoteTaskDefinition;
        if (d.type !== TASK_TYPE || typeof d.host !== 'string') return undefined;
        return remote.task({ ...d, file: d.file ?? currentFile() }, task.scope as vscode.WorkspaceFolder | vscode.TaskScope | undefined);
      },
    }),
  );
}
