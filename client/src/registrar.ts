// How the extension body registers its commands and task provider. extension.ts registers every contributed
// command at activation, before the body is loaded, and hands the body a Registrar that fills in the handlers;
// DIRECT registers with VS Code itself (for code that runs without the lazy shell).
import * as vscode from 'vscode';

export interface Registrar {
  command(id: string, fn: (...args: never[]) => unknown): vscode.Disposable;
  taskProvider(type: string, provider: vscode.TaskProvider): vscode.Disposable;
}

export const DIRECT: Registrar = {
  command: (id, fn) => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown),
  taskProvider: (type, provider) => vscode.tasks.registerTaskProvider(type, provider),
};
