// A real LSP client for tests: spawns the bundled server over stdio and talks JSON-RPC to it with
// vscode-languageserver-protocol, answering workspace/configuration like an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const ROOT = join(__dirname, '..', '..');

export interface TestClient {
  conn: ProtocolConnection;
  child: ChildProcess;
  settings: Record<string, unknown>;
  diagnostics: Map<string, PublishDiagnosticsParams>;
  notifications: { method: string; params: unknown }[];
  /** Resolves with the next diagnostics for `uri` that satisfy `pred`. */
  waitDiagnostics(uri: string, pred?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** The diagnostics last published for `uri` if they match, else the next matching ones (waitDiagnostics waits for a new publish). */
  diagnosticsMatching(uri: string, pred: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** Calls `listener` with every publishDiagnostics from now on, in the order they arrive. */
  onPublish(listener: (p: PublishDiagnosticsParams) => void): void;
  stop(): Promise<void>;
}

export async function startClient(
  opts: {
    rootUri?: string;
    settings?: Record<string, unknown>;
    debounceMs?: number;
    serverPath?: string;
    cwd?: string;
    /** A client that cannot be asked for configuration (as many editors): settings go in initializationOptions. */
    pushSettings?: boolean;
    /** More initializationOptions (as the extension sends scanCacheDir). */
    init?: Record<string, unknown>;
  } = {},
): Promise<TestClient> {
  const child = spawn(process.execPath, [opts.serverPath ?? join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const publishListeners: ((p: PublishDiagnosticsParams) => void)[] = [];
  const waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const notifications: { method: string; params: unknown }[] = [];
  const client: TestClient = {
    conn,
    child,
    settings: opts.settings ?? {},
    diagnostics,
    notifications,
    waitDiagnostics(uri, pred = () => true, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(diagnostics.get(uri)?.diagnostics.map((d) => d.code))}; server stderr: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          uri,
          pred,
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p);
          },
        });
      });
    },
    onPublish(listener) {
      publishListeners.push(listener);
    },
    diagnosticsMatching(uri, pred, timeoutMs) {
      const last = diagnostics.get(uri);
      return last && pred(last) ? Promise.resolve(last) : client.waitDiagnostics(uri, pred, timeoutMs);
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await conn.sendNotification('exit').catch(() => undefined);
      } catch {
        /* already gone */
      }
      conn.dispose();
      child.kill();
    },
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p);
    for (const l of publishListeners) l(p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w.uri === p.uri && w.pred(p)) {
        waiters.splice(i, 1);
        w.resolve(p);
      }
    }
  });
  for (const method of ['mindport/configProblems', 'window/logMessage']) conn.onNotification(method, (params: unknown) => void notifications.push({ method, params }));
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => client.settings));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: opts.rootUri ?? null,
    workspaceFolders: opts.rootUri ? [{ uri: opts.rootUri, name: 'ws' }] : null,
    capabilities: {
      workspace: { configuration: !opts.pushSettings, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } },
      window: { workDoneProgress: true },
      notebookDocument: { synchronization: {} },
    },
    initializationOptions: { debounceMs: opts.debounceMs ?? 0, ...(opts.pushSettings ? { settings: opts.settings ?? {} } : {}), ...opts.init },
  });
  conn.sendNotification('initialized', {});
  return client;
}

/** Applies LSP text edits (line/character ranges) to a text. */
export function applyLspEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character;
  };
  const sorted = edits.map((e) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s || b.e - a.e);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}
