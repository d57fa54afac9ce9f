// Starts the MindPort language server (dist/server.js) over stdio (where its publishDiagnostics encoder applies:
// server/src/lsp/messageEncoding.ts), for Python files and Python notebook cells.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SECTION } from './settings';

export function createClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Notebook cells: with a `notebook` filter the client uses LSP notebook sync, so the server sees every
      // cell of the notebook together (an `import torch` in cell 1 resolves in cell 3).
      { notebook: '*', language: 'python' },
    ],
    synchronize: {
      configurationSection: SECTION,
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
        vscode.workspace.createFileSystemWatcher('**/mindport.toml'),
        // classes imported from the project's modules: documents importing a changed module are analysed again
        vscode.workspace.createFileSystemWatcher('**/*.py'),
      ],
    },
    initializationOptions: () => ({
      settings: vscode.workspace.getConfiguration(SECTION),
      extensionPath: context.extensionUri.fsPath,
      // workspace scans keep their results in this workspace's extension storage (never in the workspace)
      scanCacheDir: context.storageUri ? vscode.Uri.joinPath(context.storageUri, 'scan-cache').fsPath : undefined,
    }),
    outputChannel: log,
    traceOutputChannel: log,
    markdown: { isTrusted: false, supportHtml: false },
    diagnosticCollectionName: 'mindport',
  };
  return new LanguageClient('mindport', 'MindPort', serverOptions, clientOptions);
}
