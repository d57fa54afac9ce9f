// The body of the MindPort extension, loaded by extension.ts right after activation (dist/client-main.js):
// starts the language server (dist/server.js), validates the settings, and provides the commands, the status
// bar item and the report. Diagnostics, quick fixes, `source.fixAll.mindport` and hovers come from the server.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { ConfigProblemsNotification, type ConfigProblemsParams } from '../../server/src/lsp/protocol';
import { createClient } from './client';
import { registerCommands, VirtualDocs, PREVIEW_SCHEME, EXPLAIN_SCHEME, fetchReport, type CommandContext } from './commands';
import { ReportPanel } from './reportView';
import { ProblemReporter, readSettings, SECTION } from './settings';
import { TargetStatus } from './statusBar';
import { registerRemote } from './remote/index';
import type { Registrar } from './registrar';

/** What the loaded body offers to extension.ts (and, through it, to tests and other extensions). */
export interface MindPortMain {
  client(): LanguageClient | undefined;
  /** Resolves once the language server is running. */
  ready(): Promise<void>;
  reportPanel: ReportPanel;
  status: TargetStatus;
  /** Settings warnings shown so far (each once). */
  problemsShown(): string[];
  deactivate(): Promise<void>;
}

let client: LanguageClient | undefined;

export function start(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, registrar: Registrar): MindPortMain {
  const problems = new ProblemReporter(log);
  const validate = () => {
    const scopes: (vscode.Uri | undefined)[] = vscode.workspace.workspaceFolders?.map((f) => f.uri) ?? [undefined];
    problems.sync(scopes.flatMap((scope) => readSettings(scope).problems));
  };
  validate();

  const status = new TargetStatus();
  context.subscriptions.push(status);

  let started: Promise<void> = Promise.resolve();
  const startServer = () => {
    client = createClient(context, log);
    const c = client;
    c.onNotification(ConfigProblemsNotification, (p: ConfigProblemsParams) => problems.report(p?.problems ?? []));
    started = c.start().catch((e: unknown) => {
      log.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
      void vscode.window.showErrorMessage('MindPort: the language server failed to start. See the MindPort output.', 'Show Output').then(
        (pick) => pick && log.show(),
      );
      throw e;
    });
    return started;
  };
  void startServer().catch(() => undefined);

  const restart = async () => {
    log.info('restarting the language server');
    problems.reset();
    validate();
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(2000);
      } catch (e) {
        log.warn(`stopping the server: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await startServer();
    status.update();
  };

  const docs = new VirtualDocs();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, docs),
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, docs),
  );
  const cmdCtx: CommandContext = {
    context,
    log,
    client: () => {
      if (!client) throw new Error('the MindPort language server is not running');
      return client;
    },
    ready: () => started,
    restart,
    status,
    docs,
    report: undefined as unknown as ReportPanel,
  };
  const report = new ReportPanel(log, () => fetchReport(cmdCtx, true));
  cmdCtx.report = report;
  context.subscriptions.push(report, ...registerCommands(cmdCtx, registrar.command));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) validate();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => status.update()),
  );

  try {
    registerRemote(context, log, registrar);
  } catch (e) {
    log.error(`remote features failed to register: ${e instanceof Error ? e.message : String(e)}`);
  }

  return {
    client: () => client,
    ready: () => started,
    reportPanel: report,
    status,
    problemsShown: () => [...problems.history],
    deactivate: async () => {
      if (client && client.state !== State.Stopped) await client.stop();
    },
  };
}
