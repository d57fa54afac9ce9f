// MindPort VS Code extension entry point (dist/client.js), kept small so that activation is quick: it
// registers every contributed command and the `mindport-remote` task provider, then loads the body
// (dist/client-main.js: the language client, settings validation, commands, report view, remote runs; see
// main.ts) right after activate() returns. A command run before the body has loaded waits for it.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { MindPortMain } from './main';
import type { Registrar } from './registrar';

/** What `activate` returns: used by the end-to-end tests, and by other extensions that want the report. */
export interface MindPortApi {
  client(): ReturnType<MindPortMain['client']>;
  /** Resolves once the body is loaded and the language server is running. */
  ready(): Promise<void>;
  /** Available once ready() has resolved. */
  readonly reportPanel: MindPortMain['reportPanel'];
  readonly status: MindPortMain['status'];
  /** Settings warnings shown so far (each once). */
  problemsShown(): string[];
}

const TASK_TYPE = 'mindport-remote';
let body: MindPortMain | undefined;

export function activate(context: vscode.ExtensionContext): MindPortApi {
  const log = vscode.window.createOutputChannel('MindPort', { log: true });
  context.subscriptions.push(log);
  log.info(`MindPort ${context.extension.packageJSON.version} activating (VS Code ${vscode.version})`);

  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const providers = new Map<string, vscode.TaskProvider>();
  const registrar: Registrar = {
    command(id, fn) {
      handlers.set(id, fn as (...args: unknown[]) => unknown);
      return new vscode.Disposable(() => handlers.delete(id));
    },
    taskProvider(type, provider) {
      providers.set(type, provider);
      return new vscode.Disposable(() => providers.delete(type));
    },
  };

  let loading: Promise<MindPortMain> | undefined;
  const load = (): Promise<MindPortMain> =>
    (loading ??= new Promise<MindPortMain>((resolve) => {
      // a computed path, so that the bundler leaves the body in its own file
      const main = require(join(__dirname, 'client-main.js')) as typeof import('./main');
      body = main.start(context, log, registrar);
      resolve(body);
    }).catch((e: unknown) => {
      log.error(`MindPort failed to load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw e;
    }));

  const contributed = (context.extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  for (const { command } of contributed) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        await load();
        const fn = handlers.get(command);
        if (!fn) throw new Error(`MindPort: the command ${command} is not available`);
        return fn(...args);
      }),
    );
  }
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: async (token) => {
        await load();
        return (await providers.get(TASK_TYPE)?.provideTasks(token)) ?? [];
      },
      resolveTask: async (task, token) => {
        await load();
        return (await providers.get(TASK_TYPE)?.resolveTask(task, token)) ?? undefined;
      },
    }),
  );

  setImmediate(() => void load().catch(() => undefined));

  return {
    client: () => body?.client(),
    ready: async () => (await load()).ready(),
    get reportPanel() {
      if (!body) throw new Error('MindPort is still loading: await ready() first');
      return body.reportPanel;
    },
    get status() {
      if (!body) throw new Error('MindPort is still loading: await ready() first');
      return body.status;
    },
    problemsShown: () => body?.problemsShown() ?? [],
  };
}

export async function deactivate(): Promise<void> {
  await body?.deactivate();
}
