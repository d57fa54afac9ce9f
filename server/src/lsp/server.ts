// The MindPort language server: documents and notebooks in, diagnostics, code actions, hovers and commands
// out. All analysis is the engine's; this file only speaks LSP.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  NotebookDocuments,
  ResponseError,
  TextDocumentSyncKind,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type NotificationMessage,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText, targetOf, useSpanOf, type DocumentAnalysis, type UseSpan } from '../engine/analyze';
import { IncrementalAnalyzer } from '../engine/incremental';
import { PythonDocument } from '../engine/document';
import { isInside } from '../engine/files';
import { explainMarkdown } from '../engine/explain';
import type { Finding } from '../engine/findings';
import { fixAll, fixAllCells } from '../engine/fixAll';
import { joinCells, cellOf, notebookOf, type NotebookText } from '../engine/notebook';
import { initParser } from '../engine/parser';
import { type FileResult } from '../engine/project';
import { bundledWorkerScript, scanFiles } from '../cli/scan';
import { openScanCache, type ScanCache } from '../cli/scanCache';
import { ProjectConfigFinder } from '../engine/projectConfig';
import { ruleDocUrl, ruleMeta } from '../engine/rules/catalog';
import { DEFAULT_SETTINGS, parseSettings, settingsForFile, SettingsSchema, type Settings, type SettingsProblem } from '../engine/settings';
import { moduleNameOf, projectIndex } from '../engine/projectIndex';
import { collectFiles } from '../engine/walk';
import { loadDatabase } from '../mappings/location';
import { buildReport } from './report';
import { portNotebook, portText, type PortSummary } from '../engine/port';
import { portedPath } from '../cli/port';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { availableParallelism } from 'node:os';
import { Commands, ConfigProblemsNotification, ExplainRequest, ReportRequest, type ExplainParams, type ReportParams } from './protocol';
import { minimalEdit } from '../engine/edits';
import { toDiagnostic, toDiagnostics, toLspEdit, type Published } from './convert';
import { IdleCollector } from './idleCollector';
import { OpenDocument } from './openDocument';
import { MessageEncoder } from './messageEncoding';
import { rehearsalPlace, TypingRehearsal } from './typingRehearsal';
import { AnalysisStuck, OffThreadAnalysis } from './offThreadAnalysis';

interface Analysed {
  version: number;
  text: string;
  findings: Finding[];
  uses: UseSpan[];
  settings: Settings;
}

interface OpenDoc {
  uri: string;
  td: OpenDocument;
  doc: PythonDocument;
  /** The file's path, for a Python file on disk (other documents may import it). */
  path?: string;
  /** Edited since it was opened: its text, not the file's, is what documents importing it see. */
  edited?: boolean;
  analysed?: Analysed;
  /** The pending analysis, if any: cancel() drops it. */
  timer?: { cancel(): void };
  /**
   * Set by the first didChange, or when the document opened last is readied for typing (see readyForTyping):
   * such documents, and the one opened last, keep a tree for incremental parsing (those among TREES_KEPT).
   */
  forTyping?: boolean;
  /** Kept with the tree: re-checks only the statements an edit can affect. */
  incremental?: IncrementalAnalyzer;
  /** Kept with the tree: the last publish, whose diagnostics the next one reuses for findings that did not move. */
  published?: Published;
  /**
   * Set when a typing rehearsal was stopped part-way (its analysis last saw a rehearsed text): analyses the
   * document's own text, run before its next edit is applied (see TypingRehearsal.leftBehind).
   */
  catchUp?: () => void;
}

interface OpenNotebook {
  uri: string;
  cells: string[]; // cell document URIs, in order
  analysed?: Analysed & { nb: NotebookText; versions: string };
  /** The cells joined, kept (with its tree) while the notebook is among those analysed last: an edit in a cell is re-parsed and re-checked incrementally. */
  doc?: PythonDocument;
  incremental?: IncrementalAnalyzer;
  /**
   * What was last published for each cell: its text's version and the JSON of its diagnostics. A cell whose
   * text and diagnostics are both unchanged is not sent again (an edited cell always is).
   */
  published?: Map<string, { version: number | undefined; json: string }>;
  /** The pending analysis, if any (waiting for its debounce or in the queue): cancel() drops it. */
  timer?: { cancel(): void };
  /** Set by the first edit: the notebook is typed in, and goes first in the queue as documents typed in do. */
  forTyping?: boolean;
}

const SETTINGS_KEYS = Object.keys(SettingsSchema.shape);
/** Fix all for a whole notebook (`notebook.codeActionsOnSave`): VS Code's notebook kinds start with `notebook.`. */
const NOTEBOOK_FIX_ALL = `notebook.${CodeActionKind.SourceFixAll}.mindport`;

/** The innermost API use at an offset (in `torch.abs(x).sum()`, `abs` is inside the chain that ends in `sum`). */
/** Drops the least recently added entries of `map` (insertion order) beyond `limit`, telling `onEvict` of each. */
function evictOldest<K, V>(map: Map<K, V>, limit: number, onEvict: (v: V) => void): void {
  for (const [k, v] of map) {
    if (map.size <= limit) break;
    map.delete(k);
    onEvict(v);
  }
}

function smallestUseAt(uses: UseSpan[], offset: number): UseSpan | undefined {
  let best: UseSpan | undefined;
  for (const u of uses) if (offset >= u.start && offset <= u.end && (!best || u.end - u.start < best.end - best.start)) best = u;
  return best;
}

export interface ServerOptions {
  /**
   * Registers a listener called whenever a piece of input is read (the stdio transport's reads), before any
   * message in it is handled. Without it, the typing rehearsal (typingRehearsal.ts) runs at once instead of
   * between messages.
   */
  onInput?: (listener: () => void) => void;
  /**
   * Set when the transport writes with MessageEncoder: the typing rehearsal then also encodes, with an encoder of
   * its own, the publishes it would have sent, so that the encoder's code is compiled before the first keystroke.
   */
  rehearsePublishing?: boolean;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const docs = new Map<string, OpenDoc>();
  const notebookDocs = new NotebookDocuments(TextDocument);
  const notebooks = new Map<string, OpenNotebook>();
  const finder = new ProjectConfigFinder();
  const reportedProblems = new Set<string>();
  let scanResults = new Map<string, FileResult>();
  let pullConfig = false;
  /** Whether the client tells of workspace folders added and removed. */
  let folderEvents = false;
  let pushedSettings: Record<string, unknown> | undefined;
  /** Where workspace scans keep results between scans (the extension's storage, never the workspace); none: not kept. */
  let scanCacheDir: string | undefined;
  let scanCache: ScanCache | undefined;
  let workspaceFolders: string[] = [];
  let debounceMs = Number(process.env.MINDPORT_DEBOUNCE_MS ?? 150);
  let ready: Promise<unknown> = Promise.resolve();
  const db = loadDatabase();
  const settingsCache = new Map<string, Promise<Settings>>();
  /** The URIs of settingsCache whose settings have arrived. */
  const settingsKnown = new Set<string>();

  const log = (msg: string) => connection.console.log(`MindPort: ${msg}`);

  function reportProblems(problems: SettingsProblem[]): void {
    const fresh = problems.filter((p) => !reportedProblems.has(`${p.setting}|${p.message}`));
    if (!fresh.length) return;
    for (const p of fresh) {
      reportedProblems.add(`${p.setting}|${p.message}`);
      connection.console.warn(`MindPort: ${p.setting}: ${p.message}`);
    }
    void connection.sendNotification(ConfigProblemsNotification, { problems: fresh });
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfig = !!params.capabilities.workspace?.configuration;
    folderEvents = !!params.capabilities.workspace?.workspaceFolders;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
    if (!workspaceFolders.length && params.rootUri) workspaceFolders = [fileURLToPath(params.rootUri)];
    const init = (params.initializationOptions ?? {}) as { debounceMs?: number; settings?: Record<string, unknown>; scanCacheDir?: unknown };
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    if (typeof init.scanCacheDir === 'string' && isAbsolute(init.scanCacheDir)) scanCacheDir = init.scanCacheDir;
    if (init.settings) pushedSettings = init.settings;
    ready = initParser();
    for (const p of db.problems) {
      reportProblems([{ setting: `mappings/${p.file}${p.key ? ` "${p.key}"` : ''}`, message: p.message }]);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, `${CodeActionKind.SourceFixAll}.mindport`, NOTEBOOK_FIX_ALL],
          resolveProvider: false,
        },
        hoverProvider: true,
        executeCommandProvider: { commands: Object.values(Commands) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'mindport', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    void connection.client
      .register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/pyproject.toml' }, { globPattern: '**/mindport.toml' }],
      })
      .catch(() => undefined); // clients without dynamic registration: config changes apply on the next reload
    // a folder added to or removed from the workspace: it is scanned, and it is the root of a project without markers
    if (folderEvents)
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => fileURLToPath(f.uri)));
        workspaceFolders = [...workspaceFolders.filter((f) => !removed.has(f)), ...e.added.map((f) => fileURLToPath(f.uri))];
        settingsChanged();
      });
  });

  // ---- settings ---------------------------------------------------------------------------------------
  function pick(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!raw) return undefined;
    return Object.fromEntries(Object.entries(raw).filter(([k]) => SETTINGS_KEYS.includes(k)));
  }

  /** The innermost workspace folder holding `path`, if any. */
  function workspaceFolderOf(path: string): string | undefined {
    let best: string | undefined;
    for (const f of workspaceFolders) if (isInside(path, f) && (best === undefined || f.length > best.length)) best = f;
    return best;
  }

  async function settingsFor(uri: string): Promise<Settings> {
    let cached = settingsCache.get(uri);
    if (!cached) {
      cached = (async () => {
        let editor: Record<string, unknown> | undefined;
        if (pullConfig) {
          try {
            editor = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'mindport' })) as Record<string, unknown>;
          } catch {
            editor = undefined;
          }
        } else editor = pushedSettings;
        const base = parseSettings(pick(editor), DEFAULT_SETTINGS);
        reportProblems(base.problems);
        if (!uri.startsWith('file:')) return base.settings;
        const path = fileURLToPath(uri);
        const project = finder.settingsFor(path, base.settings);
        reportProblems(project.problems);
        return settingsForFile(project.settings, path, workspaceFolderOf(path));
      })();
      settingsCache.set(uri, cached);
      const mine = cached;
      void mine.then(
        () => settingsCache.get(uri) === mine && settingsKnown.add(uri),
        () => undefined,
      );
    }
    return cached;
  }

  /** Bumped by every settings change: an analysis in the worker made before one is dropped when it comes back. */
  let settingsGeneration = 0;
  function settingsChanged(): void {
    settingsGeneration++;
    settingsCache.clear();
    settingsKnown.clear();
    finder.clear();
    for (const d of docs.values()) {
      d.analysed = undefined;
      schedule(d, 0);
    }
    for (const nb of notebooks.values()) {
      nb.analysed = undefined;
      scheduleNotebook(nb.uri, 0);
    }
  }

  connection.onDidChangeConfiguration((change) => {
    const s = (change.settings as { mindport?: Record<string, unknown> } | undefined)?.mindport;
    if (s) pushedSettings = s;
    reportedProblems.clear();
    settingsChanged();
  });

  connection.onDidChangeWatchedFiles((params) => {
    if (params.changes.some((c) => /(pyproject|mindport)\.toml$/.test(c.uri))) {
      settingsChanged();
    }
    const python = params.changes.filter((c) => c.uri.startsWith('file:') && c.uri.endsWith('.py')).map((c) => fileURLToPath(c.uri));
    if (python.length) projectFilesChanged(python);
  });

  /**
   * Python files of the workspace changed on disk (saved, created, deleted): the classes documents import from
   * them may have changed. Open documents and notebooks naming one of those modules are analysed afresh.
   */
  function projectFilesChanged(paths: string[]): void {
    projectIndex.invalidate(paths);
    // the importers analysed now see whatever text of these files is current (the editor's, when they are open
    // and edited): what they last saw is no longer the last check's, and the next edit must not be compared with it
    for (const p of paths) lastExports.delete(p);
    analyseAgain(importersOf(paths));
  }

  /** The open documents and notebooks (other than `paths`) whose text imports a module named as one of `paths`. */
  function importersOf(paths: string[]): { docs: OpenDoc[]; notebooks: OpenNotebook[] } {
    const changed = new Set(paths);
    const names = new RegExp(`\\b(?:${[...new Set(paths.map(moduleNameOf))].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`);
    const importsOne = (text: string) => /\bimport\b/.test(text) && names.test(text);
    return {
      docs: [...docs.values()].filter((d) => !(d.path !== undefined && changed.has(d.path)) && importsOne(d.doc.text)),
      notebooks: [...notebooks.values()].filter((nb) => nb.doc && importsOne(nb.doc.text)),
    };
  }

  /** Analyses these documents and notebooks again from scratch (what they import changed). */
  function analyseAgain(importers: { docs: OpenDoc[]; notebooks: OpenNotebook[] }): void {
    for (const d of importers.docs) {
      if (docs.get(d.uri) !== d) continue;
      dropTree(d);
      d.analysed = undefined;
      schedule(d, 0);
    }
    for (const nb of importers.notebooks) {
      if (notebooks.get(nb.uri) !== nb) continue;
      nb.incremental = undefined;
      nb.analysed = undefined;
      scheduleNotebook(nb.uri, 0);
    }
  }

  // ---- unsaved texts of the project's modules -----------------------------------------------------------
  // An edited Python file's text is what the documents importing it see (projectIndex `setUnsaved`), here and in
  // the worker. Once its edits pause, those documents are analysed again if what they can see of it changed (its
  // classes, their methods and attributes, factories, re-exports): typing in a method's body re-analyses nothing.
  const EXPORTS_CHECK_MS = 300;
  const exportsChecks = new Map<string, ReturnType<typeof setTimeout>>();
  /** What documents importing each edited file last saw of it (projectIndex `exportsOf`). */
  const lastExports = new Map<string, string>();

  function unsavedChanged(path: string, text: string | undefined): void {
    projectIndex.setUnsaved(path, text);
    offThread?.setUnsaved(path, text);
    clearTimeout(exportsChecks.get(path));
    exportsChecks.set(
      path,
      setTimeout(() => {
        exportsChecks.delete(path);
        void checkImporters(path);
      }, EXPORTS_CHECK_MS),
    );
  }

  /**
   * A document (at `path`, if a file) is analysed now, with the unsaved texts as they are: for a file whose check
   * is still to come, what the importers last saw is no longer known (it may have changed and changed back).
   */
  function importerAnalysed(path: string | undefined): void {
    for (const p of exportsChecks.keys()) if (p !== path) lastExports.delete(p);
  }

  async function checkImporters(path: string): Promise<void> {
    const importers = importersOf([path]);
    if (!importers.docs.length && !importers.notebooks.length) {
      lastExports.delete(path); // none open: those opened later read it as it is then
      return;
    }
    const root = workspaceFolderOf(path);
    let now: string;
    try {
      now = offThread?.usable ? await offThread.exportsOf(path, root) : projectIndex.exportsOf(path, root);
    } catch (stuck) {
      if (stuck instanceof AnalysisStuck) {
        connection.console.error(`MindPort: reading ${path} for its classes ${stuck.message}`);
        return; // reading it here would block this thread the same way
      }
      try {
        now = projectIndex.exportsOf(path, root);
      } catch (err) {
        connection.console.error(`MindPort: cannot read ${path} for its classes: ${(err as Error).message}`);
        return;
      }
    }
    // without an earlier answer, what the importers saw is not known: they are analysed again
    if (lastExports.get(path) === now) return;
    lastExports.set(path, now);
    analyseAgain(importersOf([path]));
  }

  // ---- analysis -----------------------------------------------------------------------------------------
  const idle = new IdleCollector();
  // documents only opened are analysed in a worker, when the bundle has one (offThreadAnalysis.ts)
  const workerScript = bundledWorkerScript();
  const offThread = workerScript ? new OffThreadAnalysis(workerScript) : undefined;
  connection.onExit(() => offThread?.dispose());
  /** An analysis made in the worker, or here when the worker fails (as without one). */
  async function analysedInWorker(uri: string, text: string, settings: Settings): Promise<Pick<DocumentAnalysis, 'findings' | 'internalErrors' | 'useSpans'>> {
    try {
      return await offThread!.analyze(text, settings);
    } catch (err) {
      if (err instanceof AnalysisStuck) {
        // analysing it here would block this thread the same way: no findings for this version, and the user told
        void connection.window.showWarningMessage(`MindPort: the analysis of ${uri} ${err.message}; its findings are not shown until it changes. Please report the file.`);
        return { findings: [], internalErrors: [err.message], useSpans: [] };
      }
      return analyzeText(text, settings, db);
    }
  }

  function toAnalysed(version: number, text: string, a: Pick<DocumentAnalysis, 'findings' | 'internalErrors' | 'useSpans' | 'resolution'>, settings: Settings): Analysed {
    // a method's span is its name (`sum` in `torch.abs(x).sum()`), a dotted name's the whole expression
    const uses = a.useSpans ?? (a.resolution?.uses ?? []).map(useSpanOf);
    for (const e of a.internalErrors) connection.console.error(`MindPort: internal error: ${e}`);
    idle.worked();
    return { version, text, findings: a.findings, uses, settings };
  }

  // Syntax trees are kept for incremental re-parsing only by the documents edited most recently and the one
  // opened last (see readyForTyping): the engine reads its own copy of the tree (freed after each analysis), and
  // a tree-sitter tree takes about 1.5 KB of WebAssembly memory per line, which WebAssembly never returns. Another
  // document opened but not edited keeps none; its first edit parses it once from scratch. The results are the
  // same either way.
  const TREES_KEPT = 8;
  const withTree = new Map<string, OpenDoc>(); // least recently analysed first
  const aboutToBeTyped = (d: OpenDoc) => d.forTyping || d.uri === lastOpened;
  /**
   * Whether the server has other work for its thread or another document is being typed in: the document opened
   * last is then analysed like any other opened (in the worker, when there is one) and readied for typing later.
   */
  const busyElsewhere = (uri: string) =>
    waiting.size > 0 || !!offThread?.busy || (lastEdit !== undefined && lastEdit.uri !== uri && performance.now() - lastEdit.at < TYPING_RECENT_MS);
  /** A document typed in this recently is being typed in. */
  const TYPING_RECENT_MS = 2000;
  let lastEdit: { uri: string; at: number } | undefined;
  function keepTree(d: OpenDoc): void {
    withTree.delete(d.uri);
    if (!aboutToBeTyped(d)) {
      dropTree(d);
      return;
    }
    withTree.set(d.uri, d);
    evictOldest(withTree, TREES_KEPT, dropTree);
  }
  /** The document keeps no tree, per-statement results or last publish (its next analysis starts afresh). */
  function dropTree(d: OpenDoc): void {
    if (rehearsal?.d === d) rehearsal.r.stop();
    d.catchUp = undefined;
    withTree.delete(d.uri);
    d.published = undefined;
    d.doc.dispose();
    d.incremental = undefined;
  }

  // Analyses (findings with their fixes, API uses) are kept for the documents used most recently; the client
  // already holds every document's diagnostics, and a request about another document (a quick fix, a hover)
  // analyses it again first, with the same result. 1,000 open files would otherwise keep ~130,000 findings.
  const ANALYSES_KEPT = 64;
  const withAnalysis = new Map<string, OpenDoc>(); // least recently used first
  function touchAnalysis(d: OpenDoc): void {
    withAnalysis.delete(d.uri);
    withAnalysis.set(d.uri, d);
    evictOldest(withAnalysis, ANALYSES_KEPT, (old) => (old.analysed = undefined));
  }

  /**
   * The document's analysis for its current version. With `offThread`, a document not about to be typed in is
   * analysed in the worker (its queued analysis; a request for it, a hover or a quick fix, analyses here).
   */
  async function analyseDoc(d: OpenDoc, offThreadOk = false): Promise<Analysed | undefined> {
    await ready;
    catchUp(d); // a request after a stopped rehearsal: its analysis is of the editor's text again
    const version = d.td.version;
    if (d.analysed?.version === version) {
      touchAnalysis(d);
      return d.analysed;
    }
    const generation = settingsGeneration;
    const settings = await settingsFor(d.uri);
    if (d.td.version !== version || !docs.has(d.uri)) return undefined; // superseded while waiting
    if (settingsGeneration !== generation) return analyseDoc(d, offThreadOk); // the settings changed meanwhile
    // the document's own text, not a typing rehearsal's (one may have started while this waited for settings)
    if (rehearsal?.d === d) rehearsal.r.stop();
    d.catchUp = undefined; // this analysis starts from wherever the last one left the analyser
    importerAnalysed(d.path);
    let a: Pick<DocumentAnalysis, 'findings' | 'internalErrors' | 'useSpans' | 'resolution'>;
    // edited documents, those keeping incremental state, and the one opened last unless the server is busy
    // elsewhere are analysed incrementally (keeping a tree): typing re-checks one statement
    const incrementally = d.forTyping || d.incremental !== undefined || (d.uri === lastOpened && !(offThreadOk && busyElsewhere(d.uri)));
    if (offThreadOk && offThread?.usable && !incrementally) {
      const text = d.doc.text;
      a = await analysedInWorker(d.uri, text, settings);
      // superseded while waiting: edited, closed, or the settings changed (the change has queued another analysis)
      if (d.td.version !== version || docs.get(d.uri) !== d || settingsGeneration !== generation) return undefined;
      if (d.analysed?.version === version) return d.analysed; // analysed here meanwhile (a request)
      d.analysed = toAnalysed(version, text, a, settings);
      touchAnalysis(d);
      return d.analysed;
    }
    try {
      a = incrementally ? (d.incremental ??= new IncrementalAnalyzer()).analyzeDocument(d.doc, settings, db) : analyzeText(d.doc.text, settings, db, d.doc.tree);
    } catch (err) {
      connection.console.error(`MindPort: analysis failed for ${d.uri}: ${(err as Error).stack}`);
      return undefined;
    }
    d.analysed = toAnalysed(version, d.doc.text, a, settings);
    keepTree(d);
    touchAnalysis(d);
    return d.analysed;
  }

  function schedule(d: OpenDoc | OpenNotebook, delay = debounceMs): void {
    d.timer?.cancel();
    if (delay <= 0) {
      enqueue(d);
      return;
    }
    const handle = setTimeout(() => enqueue(d), delay);
    d.timer = { cancel: () => clearTimeout(handle) };
  }

  // Documents' analyses wait in one queue and start one per turn of the event loop, so that messages arriving
  // meanwhile are read between them, and a document being typed in (forTyping) goes first. A document only
  // opened is analysed once no input has been read for QUIET_MS: input is read 64 KB per turn (a 5,000-line
  // file's didOpen is three reads) and messages handled one per turn, so a burst of opened files is all read
  // before the first of their analyses (a fifth of a second each for 5,000 lines) starts, and a keystroke sent
  // after them is known before it. (Twenty 5,000-line files opened at once kept a keystroke in another file
  // waiting for all of them: 3.8 s.) A document whose settings are not known yet asks for them first (the
  // editor may be asked) and comes back to the queue when they are, so that answers arriving together do not
  // start every analysis at once.
  // Notebooks wait in the same queue (restored editor tabs open several at once).
  const waiting = new Map<string, OpenDoc | OpenNotebook>(); // in the order they were queued, by queueKey
  const QUIET_MS = 5;
  let turn: ReturnType<typeof setImmediate> | undefined;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  let lastInput = 0;
  const inputNow = () => (lastInput = performance.now());
  options.onInput?.(() => {
    inputNow();
    rehearsal?.r.stop(); // before any message read here is handled
  });

  const isNotebook = (w: OpenDoc | OpenNotebook): w is OpenNotebook => 'cells' in w;
  const queueKey = (w: OpenDoc | OpenNotebook) => (isNotebook(w) ? `notebook ${w.uri}` : w.uri);

  function enqueue(d: OpenDoc | OpenNotebook): void {
    const key = queueKey(d);
    waiting.delete(key);
    waiting.set(key, d);
    d.timer = { cancel: () => waiting.delete(key) };
    if (d.forTyping && quiet) {
      clearTimeout(quiet);
      quiet = undefined;
    }
    if (!quiet) turn ??= setImmediate(nextAnalysis);
  }

  function nextAnalysis(): void {
    turn = undefined;
    quiet = undefined;
    let d: OpenDoc | OpenNotebook | undefined;
    for (const w of waiting.values()) {
      if (w.forTyping) {
        d = w;
        break;
      }
      d ??= w;
    }
    if (!d) return;
    const idle = performance.now() - lastInput;
    if (!d.forTyping && idle < QUIET_MS) {
      quiet = setTimeout(nextAnalysis, Math.ceil(QUIET_MS - idle));
      return;
    }
    waiting.delete(queueKey(d));
    d.timer = undefined;
    const doc = d;
    const stillOpen = () => (isNotebook(doc) ? notebooks.get(doc.uri) === doc : docs.get(doc.uri) === doc);
    if (!settingsKnown.has(doc.uri)) {
      void settingsFor(doc.uri).then(() => {
        if (stillOpen() && !doc.timer) enqueue(doc); // not closed or queued again meanwhile
      });
    } else if (isNotebook(doc)) void analyseAndPublishNotebook(doc);
    else void analyseAndPublish(doc);
    if (waiting.size) turn = setImmediate(nextAnalysis);
  }

  async function analyseAndPublish(d: OpenDoc): Promise<void> {
    const an = await analyseDoc(d, true);
    if (!an || an.version !== d.td.version || !docs.has(d.uri)) return;
    // ranges as the engine computed them on this version's text; a document kept for typing reuses what did not move
    const diagnostics = toDiagnostics(an.findings, d.incremental ? d.published : undefined);
    d.published = d.incremental ? { findings: an.findings, diagnostics } : undefined;
    void connection.sendDiagnostics({ uri: d.uri, version: an.version, diagnostics });
    if (!d.forTyping && d.uri === lastOpened) readyForTyping(d, an);
  }

  // The document opened last is the one a user is about to type in: it is analysed incrementally when it opens
  // (keeping its tree and per-statement results, which the first keystroke starts from) and, once no other
  // document has been opened for a moment after its diagnostics went out, readied for typing: typing is
  // rehearsed in it (typingRehearsal.ts), one step per turn of the event loop, stopped by any input. Opening many
  // documents at once readies only the last.
  const READY_DELAY_MS = 250;
  let lastOpened: string | undefined;
  let readying: ReturnType<typeof setTimeout> | undefined;
  let rehearsal: { d: OpenDoc; r: TypingRehearsal } | undefined;
  function readyForTyping(d: OpenDoc, an: Analysed): void {
    clearTimeout(readying);
    readying = setTimeout(() => {
      readying = undefined;
      if (docs.get(d.uri) !== d || d.forTyping || d.uri !== lastOpened || d.td.version !== an.version) return;
      if (busyElsewhere(d.uri)) {
        readyForTyping(d, an); // later: its analysis would hold up the other work or the typing elsewhere
        return;
      }
      d.forTyping = true;
      try {
        if (!d.incremental) {
          importerAnalysed(d.path);
          (d.incremental = new IncrementalAnalyzer()).analyzeDocument(d.doc, an.settings, db);
          keepTree(d);
        }
        rehearse(d, d.incremental, an.settings);
      } catch (err) {
        d.incremental = undefined; // the first edit analyses it afresh
        connection.console.error(`MindPort: analysis failed for ${d.uri}: ${(err as Error).stack}`);
      }
      idle.worked();
    }, READY_DELAY_MS);
  }

  // Messages read together are handled one per turn of the event loop, after the read that stopped any
  // rehearsal: one starts only once no input has been read for a moment, so that none of them is handled after
  // its first step.
  const REHEARSAL_QUIET_MS = 100;
  function rehearse(d: OpenDoc, incremental: IncrementalAnalyzer, settings: Settings, version = d.td.version): void {
    if (docs.get(d.uri) !== d || d.incremental !== incremental || d.td.version !== version) return; // typed in, closed or dropped meanwhile
    const quiet = performance.now() - lastInput;
    if (options.onInput && quiet < REHEARSAL_QUIET_MS) {
      readying = setTimeout(() => rehearse(d, incremental, settings, version), Math.ceil(REHEARSAL_QUIET_MS - quiet));
      return;
    }
    const place = rehearsalPlace(d.doc);
    if (!place) return;
    rehearsal?.r.stop();
    const encoder = options.rehearsePublishing ? new MessageEncoder() : undefined;
    let last = d.published;
    let latest: DocumentAnalysis | undefined;
    const r = new TypingRehearsal(
      d.doc,
      place,
      () => {
        const whole = incremental.stats.full;
        const a = (latest = incremental.analyzeDocument(d.doc, settings, db));
        if (encoder) {
          const diagnostics = toDiagnostics(a.findings, last);
          last = { findings: a.findings, diagnostics };
          encoder.bytes({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: d.uri, version: d.td.version, diagnostics } } as NotificationMessage);
        }
        return incremental.stats.full > whole; // went to the whole file: enough
      },
      (how, err) => {
        if (rehearsal?.r === r) rehearsal = undefined;
        // The rehearsal's analyses reused the findings and use spans of the analysis requests read (when this
        // analyser made it, as it does for the document opened last) and moved them in place; a step that went to
        // the whole file left them moved. That analysis is replaced by one of the editor's text again.
        const ours = docs.get(d.uri) === d && d.incremental === incremental;
        const replace = (a: DocumentAnalysis) => {
          if (d.analysed?.version === version && d.td.version === version && d.analysed.settings === settings) d.analysed = toAnalysed(version, d.doc.text, a, settings);
        };
        if (how === 'finished' && ours && latest) replace(latest); // its last step analysed the text taken back
        else if (r.leftBehind && ours) {
          d.catchUp = () => {
            if (d.incremental === incremental) replace(incremental.analyzeDocument(d.doc, settings, db));
          };
        }
        if (how === 'failed') {
          if (d.incremental === incremental) d.incremental = undefined; // the next edit analyses it afresh
          if (d.analysed?.version === version) d.analysed = undefined; // and the next request
          connection.console.error(`MindPort: analysis failed for ${d.uri}: ${(err as Error)?.stack ?? err}`);
        }
        idle.worked();
      },
    );
    rehearsal = { d, r };
    if (options.onInput) r.start();
    else r.runAll(); // nothing would stop it before a message is handled
  }

  connection.onDidOpenTextDocument(({ textDocument }) => {
    inputNow();
    rehearsal?.r.stop();
    if (textDocument.languageId !== 'python' && !textDocument.uri.endsWith('.py')) return;
    const before = lastOpened !== undefined ? docs.get(lastOpened) : undefined;
    lastOpened = textDocument.uri;
    if (before && !before.forTyping && before.uri !== lastOpened) dropTree(before); // kept only while it was the last
    clearTimeout(readying);
    const doc = new PythonDocument(textDocument.text);
    const path = textDocument.uri.startsWith('file:') && textDocument.uri.endsWith('.py') ? fileURLToPath(textDocument.uri) : undefined;
    const d: OpenDoc = { uri: textDocument.uri, td: new OpenDocument(textDocument.uri, textDocument.languageId, textDocument.version, doc), doc, path };
    const old = docs.get(textDocument.uri);
    old?.doc.dispose();
    if (old?.edited && old.path) unsavedChanged(old.path, undefined); // opened again: its edits are not this text's
    withTree.delete(textDocument.uri);
    withAnalysis.delete(textDocument.uri);
    docs.set(textDocument.uri, d);
    schedule(d, 0);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    inputNow();
    rehearsal?.r.stop();
    const d = docs.get(textDocument.uri);
    if (!d) return;
    catchUp(d);
    for (const change of contentChanges) {
      if ('range' in change) {
        const a = d.td.offsetAt(change.range.start);
        const b = d.td.offsetAt(change.range.end);
        const [start, end] = a <= b ? [a, b] : [b, a];
        d.doc.edit({ start, end, newText: change.text });
      } else d.doc.replace(change.text);
    }
    d.td.version = textDocument.version;
    d.forTyping = true;
    d.edited = true;
    if (d.path) unsavedChanged(d.path, d.doc.text);
    lastEdit = { uri: d.uri, at: performance.now() };
    schedule(d);
  });

  /** Analyses the text a stopped rehearsal left (OpenDoc.catchUp), before an edit changes it. */
  function catchUp(d: OpenDoc): void {
    const run = d.catchUp;
    if (!run) return;
    d.catchUp = undefined;
    importerAnalysed(d.path);
    try {
      run();
    } catch (err) {
      d.incremental = undefined; // the next analysis starts afresh
      connection.console.error(`MindPort: analysis failed for ${d.uri}: ${(err as Error).stack}`);
    }
  }

  connection.onDidCloseTextDocument(({ textDocument }) => {
    rehearsal?.r.stop();
    const d = docs.get(textDocument.uri);
    if (!d) return;
    d.timer?.cancel();
    d.doc.dispose();
    withTree.delete(textDocument.uri);
    withAnalysis.delete(textDocument.uri);
    docs.delete(textDocument.uri);
    if (d.edited && d.path) unsavedChanged(d.path, undefined); // closed: the file as saved is what others see
    // keep workspace-scan results visible for closed files; otherwise clear
    const path = textDocument.uri.startsWith('file:') ? fileURLToPath(textDocument.uri) : undefined;
    const scanned = path ? scanResults.get(path) : undefined;
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: scanned ? fileResultDiagnostics(scanned) : [] });
  });

  // ---- notebooks ----------------------------------------------------------------------------------------
  function notebookCellTexts(nb: OpenNotebook): string[] {
    return nb.cells.map((uri) => notebookDocs.cellTextDocuments.get(uri)?.getText() ?? '');
  }

  function syncNotebook(uri: string): OpenNotebook | undefined {
    const doc = notebookDocs.getNotebookDocument(uri);
    if (!doc) return undefined;
    const cells = doc.cells
      .map((c) => c.document)
      .filter((u) => notebookDocs.cellTextDocuments.get(u)?.languageId === 'python');
    const nb = notebooks.get(uri) ?? { uri, cells };
    nb.cells = cells;
    notebooks.set(uri, nb);
    return nb;
  }

  /**
   * The notebook's analysis for its cells' current versions. With `offThreadOk`, a notebook not typed in is
   * analysed in the worker when the server is busy elsewhere (as documents only opened are, see analyseDoc).
   */
  async function analyseNotebook(nb: OpenNotebook, offThreadOk = false): Promise<OpenNotebook['analysed']> {
    await ready;
    const texts = notebookCellTexts(nb);
    const versionsNow = () => nb.cells.map((u) => `${u}@${notebookDocs.cellTextDocuments.get(u)?.version}`).join('|');
    const versions = versionsNow();
    if (nb.analysed?.versions === versions) return nb.analysed;
    const generation = settingsGeneration;
    const settings = await settingsFor(nb.uri);
    if (!notebooks.has(nb.uri)) return undefined; // closed while waiting
    if (settingsGeneration !== generation) return analyseNotebook(nb, offThreadOk); // the settings changed meanwhile
    const joined = joinCells(texts);
    importerAnalysed(undefined);
    if (offThreadOk && offThread?.usable && !nb.forTyping && !nb.incremental && busyElsewhere(nb.uri)) {
      const off = await analysedInWorker(nb.uri, joined.text, settings);
      // superseded while waiting: edited, closed, or the settings changed (the change has queued another analysis)
      if (notebooks.get(nb.uri) !== nb || versionsNow() !== versions || settingsGeneration !== generation) return undefined;
      nb.analysed = { ...toAnalysed(0, joined.text, off, settings), nb: joined, versions };
      return nb.analysed;
    }
    let a: DocumentAnalysis;
    try {
      // the joined text changes only where the edited cell is: one edit of the kept document
      if (nb.doc) {
        if (nb.doc.text !== joined.text) nb.doc.edit(minimalEdit(nb.doc.text, joined.text));
      } else nb.doc = new PythonDocument(joined.text);
      a = (nb.incremental ??= new IncrementalAnalyzer()).analyzeDocument(nb.doc, settings, db);
    } catch (err) {
      connection.console.error(`MindPort: analysis failed for ${nb.uri}: ${(err as Error).stack}`);
      forgetNotebookTree(nb);
      return undefined;
    }
    keepNotebookTree(nb);
    nb.analysed = { ...toAnalysed(0, joined.text, a, settings), nb: joined, versions };
    return nb.analysed;
  }

  // as for documents (TREES_KEPT), only the notebooks analysed most recently keep their joined tree
  const NOTEBOOK_TREES_KEPT = 4;
  const notebooksWithTree = new Map<string, OpenNotebook>(); // least recently analysed first
  function keepNotebookTree(nb: OpenNotebook): void {
    notebooksWithTree.delete(nb.uri);
    notebooksWithTree.set(nb.uri, nb);
    evictOldest(notebooksWithTree, NOTEBOOK_TREES_KEPT, forgetNotebookTree);
  }
  function forgetNotebookTree(nb: OpenNotebook): void {
    notebooksWithTree.delete(nb.uri);
    nb.doc?.dispose();
    nb.doc = undefined;
    nb.incremental = undefined;
  }

  function scheduleNotebook(uri: string, delay = debounceMs, typed = false): void {
    const nb = syncNotebook(uri);
    if (!nb) return;
    if (typed) nb.forTyping = true;
    schedule(nb, delay);
  }

  async function analyseAndPublishNotebook(queued: OpenNotebook): Promise<void> {
    const nb = syncNotebook(queued.uri); // its cells as they are now
    if (!nb) return;
    const an = await analyseNotebook(nb, true);
    if (!an || notebooks.get(nb.uri) !== nb) return;
    const per: Diagnostic[][] = nb.cells.map(() => []);
    for (const f of an.findings) {
      const { cell } = cellOf(an.nb, f.start);
      const td = notebookDocs.cellTextDocuments.get(nb.cells[cell]);
      if (td) per[cell].push(toDiagnostic(rebase(f, an.nb, cell), td));
    }
    // an edit in one cell rarely changes another's diagnostics (positions are per cell): those are not re-sent
    const published = (nb.published ??= new Map());
    nb.cells.forEach((cellUri, i) => {
      const version = notebookDocs.cellTextDocuments.get(cellUri)?.version;
      const json = JSON.stringify(per[i]);
      const last = published.get(cellUri);
      if (last && last.version === version && last.json === json) return;
      published.set(cellUri, { version, json });
      void connection.sendDiagnostics({ uri: cellUri, diagnostics: per[i] });
    });
    for (const cellUri of published.keys()) if (!nb.cells.includes(cellUri)) published.delete(cellUri);
  }

  function rebase(f: Finding, nb: NotebookText, cell: number): Finding {
    const base = nb.cellStarts[cell];
    return { ...f, start: f.start - base, end: Math.min(f.end - base, nb.cellLengths[cell]) };
  }

  notebookDocs.onDidOpen((nb) => scheduleNotebook(nb.uri, 0));
  notebookDocs.onDidChange((e) => {
    lastEdit = { uri: e.notebookDocument.uri, at: performance.now() };
    scheduleNotebook(e.notebookDocument.uri, debounceMs, true);
  });
  notebookDocs.onDidClose((nb) => {
    const known = notebooks.get(nb.uri);
    known?.timer?.cancel();
    for (const c of known?.cells ?? []) void connection.sendDiagnostics({ uri: c, diagnostics: [] });
    if (known) forgetNotebookTree(known);
    notebooks.delete(nb.uri);
  });
  notebookDocs.listen(connection);

  function notebookOfCell(cellUri: string): { nb: OpenNotebook; index: number } | undefined {
    for (const nb of notebooks.values()) {
      const index = nb.cells.indexOf(cellUri);
      if (index >= 0) return { nb, index };
    }
    return undefined;
  }

  // ---- code actions -------------------------------------------------------------------------------------
  /** The analysed text behind a document or notebook cell, with what is needed to map offsets to edits. */
  async function context(uri: string): Promise<
    | { kind: 'doc'; d: OpenDoc; an: Analysed }
    | { kind: 'cell'; nb: OpenNotebook; index: number; an: NonNullable<OpenNotebook['analysed']> }
    | undefined
  > {
    const d = docs.get(uri);
    if (d) {
      const an = await analyseDoc(d);
      return an ? { kind: 'doc', d, an } : undefined;
    }
    const cell = notebookOfCell(uri);
    if (cell) {
      const an = await analyseNotebook(cell.nb);
      return an ? { kind: 'cell', nb: cell.nb, index: cell.index, an } : undefined;
    }
    return undefined;
  }

  function editsToWorkspaceEdit(ctx: NonNullable<Awaited<ReturnType<typeof context>>>, edits: readonly { start: number; end: number; newText: string }[]): WorkspaceEdit {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of edits) {
      if (ctx.kind === 'doc') (changes[ctx.d.uri] ??= []).push(toLspEdit(e, ctx.d.td));
      else {
        const s = cellOf(ctx.an.nb, e.start);
        const uri = ctx.nb.cells[s.cell];
        const td = notebookDocs.cellTextDocuments.get(uri);
        if (!td) continue;
        const base = ctx.an.nb.cellStarts[s.cell];
        (changes[uri] ??= []).push(toLspEdit({ start: e.start - base, end: e.end - base, newText: e.newText }, td));
      }
    }
    return { changes };
  }

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const ctx = await context(params.textDocument.uri);
    if (!ctx) return [];
    const td = ctx.kind === 'doc' ? ctx.d.td : notebookDocs.cellTextDocuments.get(params.textDocument.uri)!;
    const base = ctx.kind === 'doc' ? 0 : ctx.an.nb.cellStarts[ctx.index];
    const rangeStart = td.offsetAt(params.range.start) + base;
    const rangeEnd = td.offsetAt(params.range.end) + base;
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];

    if (wants(CodeActionKind.QuickFix)) {
      for (const f of ctx.an.findings) {
        if (f.end < rangeStart || f.start > rangeEnd) continue;
        if (ctx.kind === 'cell' && cellOf(ctx.an.nb, f.start).cell !== ctx.index) continue;
        const diag = toDiagnostic(ctx.kind === 'doc' ? f : rebase(f, ctx.an.nb, ctx.index), td);
        for (const fix of f.fixes) {
          actions.push({
            title: `${fix.title}${fix.applicability === 'unsafe' ? ' (unsafe: check the result)' : ''}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diag],
            isPreferred: fix.applicability === 'safe',
            edit: editsToWorkspaceEdit(ctx, fix.edits),
          });
        }
        const noqa = noqaEdit(ctx.an.text, f);
        if (noqa) {
          actions.push({
            title: `Ignore ${f.code} on this line`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diag],
            edit: editsToWorkspaceEdit(ctx, [noqa]),
          });
        }
      }
    }
    if (ctx.kind === 'doc' && (wants(`${CodeActionKind.SourceFixAll}.mindport`) && (only || ctx.an.findings.some((f) => f.fixes[0]?.applicability === 'safe')))) {
      const res = fixAll(ctx.an.text, ctx.an.settings, db, { findings: ctx.an.findings });
      if (res.text !== ctx.an.text) {
        actions.push({
          title: 'MindPort: fix all safe problems',
          kind: `${CodeActionKind.SourceFixAll}.mindport`,
          edit: { changes: { [ctx.d.uri]: [toLspEdit(minimalEdit(ctx.an.text, res.text), ctx.d.td)] } },
        });
      }
    }
    // notebook.codeActionsOnSave asks for notebook kinds once, on the first cell; the edit may touch every cell
    // (a fix in one cell adds its import in another): one edit per changed cell, every pass of the safe fixes
    if (ctx.kind === 'cell' && only?.some((k) => NOTEBOOK_FIX_ALL === k || NOTEBOOK_FIX_ALL.startsWith(`${k}.`))) {
      const cells = notebookCellTexts(ctx.nb);
      const fixed = joinCells(cells).text === ctx.an.text ? fixAllCells(cells, ctx.an.settings, db, { findings: ctx.an.findings }).cells : cells;
      const changes: Record<string, LspTextEdit[]> = {};
      fixed.forEach((text, i) => {
        const td = notebookDocs.cellTextDocuments.get(ctx.nb.cells[i]);
        if (td && text !== cells[i]) changes[ctx.nb.cells[i]] = [toLspEdit(minimalEdit(cells[i], text), td)];
      });
      if (Object.keys(changes).length) actions.push({ title: 'MindPort: fix all safe problems in the notebook', kind: NOTEBOOK_FIX_ALL, edit: { changes } });
    }
    return actions;
  });

  function noqaEdit(text: string, f: Finding): { start: number; end: number; newText: string } | undefined {
    let lineEnd = f.start;
    while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    let lineStart = f.start;
    while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
    const line = text.slice(lineStart, lineEnd);
    if (/\\\s*$/.test(line)) return undefined; // a continued line cannot take a comment
    const m = /#\s*noqa(?::\s*([A-Za-z0-9_, ]+))?/i.exec(line);
    if (m && !m[1]) return undefined; // bare noqa already suppresses everything
    if (m) {
      const at = lineStart + m.index + m[0].trimEnd().length;
      return { start: at, end: at, newText: `, ${f.code}` };
    }
    const trimmed = line.trimEnd().length;
    return { start: lineStart + trimmed, end: lineStart + trimmed, newText: `  # noqa: ${f.code}` };
  }

  // ---- hover --------------------------------------------------------------------------------------------
  connection.onHover(async (params: HoverParams): Promise<Hover | null> => {
    const ctx = await context(params.textDocument.uri);
    if (!ctx) return null;
    const td = ctx.kind === 'doc' ? ctx.d.td : notebookDocs.cellTextDocuments.get(params.textDocument.uri)!;
    const base = ctx.kind === 'doc' ? 0 : ctx.an.nb.cellStarts[ctx.index];
    const offset = td.offsetAt(params.position) + base;
    // a rule code inside a noqa comment
    const lineText = td.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
    for (const m of lineText.matchAll(/MSP\d{3}/g)) {
      const i = m.index ?? 0;
      if (lineText.lastIndexOf('#', i) >= 0 && params.position.character >= i && params.position.character <= i + m[0].length) {
        const meta = ruleMeta(m[0]);
        if (meta) return { contents: { kind: 'markdown', value: `**${meta.code}** (${meta.name}): ${meta.summary}\n\n[Rule documentation](${ruleDocUrl(meta.code)})` } };
      }
    }
    const use = smallestUseAt(ctx.an.uses, offset);
    if (!use) return null;
    const entry = db.get(use.qname);
    const value = entry
      ? explainMarkdown(db, entry, targetOf(ctx.an.settings), use.qname)
      : `### \`${use.qname}\`\nnot in MindPort's mapping database: no MindSpore equivalent is known`;
    return {
      contents: { kind: 'markdown', value },
      range: { start: td.positionAt(use.start - base), end: td.positionAt(use.end - base) },
    };
  });

  // ---- workspace scan, report, explain ------------------------------------------------------------------
  function fileResultDiagnostics(r: FileResult): Diagnostic[] {
    return r.findings.filter((f) => f.cell === undefined).map((f) => toDiagnostic(f));
  }

  async function scanWorkspace(progress?: { report(pct: number, msg: string): void; isCancelled(): boolean }): Promise<{ files: number; cancelled: boolean }> {
    await ready;
    let files: string[] = [];
    for (const folder of workspaceFolders) {
      try {
        files.push(...collectFiles([folder]));
      } catch (err) {
        log(`cannot scan ${folder}: ${(err as Error).message}`);
      }
    }
    files = [...new Set(files)];
    // each file's settings first (the editor may be asked for each file's configuration)
    const settingsOf = new Map<string, Settings>();
    for (const path of files) {
      if (progress?.isCancelled()) return { files: 0, cancelled: true };
      settingsOf.set(path, await settingsFor(pathToFileURL(path).href));
    }
    // The files are analysed in worker threads (all cores but one): this thread stays free for the documents
    // being typed in. Analysing them here, even one file per turn of the event loop, kept every keystroke
    // waiting for the file in progress (and before, for 20 files at a time: seconds).
    const results = new Map<string, FileResult>();
    const cache = scanCacheNow();
    const out = await scanFiles(files, (p) => settingsOf.get(p) ?? DEFAULT_SETTINGS, {
      background: true,
      cache,
      jobs: Math.max(1, availableParallelism() - 1),
      isCancelled: () => !!progress?.isCancelled(),
      onFile: (i, r) => {
        results.set(r.path, r);
        idle.worked();
        const uri = pathToFileURL(r.path).href;
        if (!docs.has(uri) && !r.path.endsWith('.ipynb')) void connection.sendDiagnostics({ uri, diagnostics: fileResultDiagnostics(r) });
        progress?.report(Math.round(((i + 1) * 100) / files.length), `${i + 1}/${files.length} files`);
      },
    });
    if (out.cancelled) return { files: results.size, cancelled: true };
    scanResults = results;
    return { files: files.length, cancelled: false };
  }

  /** The scan cache, opened on the first scan; a folder that cannot be written is logged once and not used. */
  function scanCacheNow(): ScanCache | undefined {
    if (scanCache || !scanCacheDir) return scanCache;
    const opened = openScanCache(scanCacheDir, db);
    if (typeof opened === 'string') {
      log(`workspace scans are not cached: ${opened}`);
      scanCacheDir = undefined;
      return undefined;
    }
    return (scanCache = opened);
  }

  connection.onExecuteCommand(async (params, token, workDone) => {
    switch (params.command) {
      case Commands.scanWorkspace: {
        // the client's own progress (workDoneToken) when it sent one, else one the server creates
        const progress = params.workDoneToken !== undefined ? workDone : await connection.window.createWorkDoneProgress();
        progress.begin('MindPort: scanning the workspace', 0, 'collecting files', true);
        try {
          return await scanWorkspace({
            report: (pct, msg) => progress.report(pct, msg),
            isCancelled: () =>
              token.isCancellationRequested || ('token' in progress && (progress.token as { isCancellationRequested: boolean }).isCancellationRequested),
          });
        } finally {
          progress.done();
        }
      }
      case Commands.portFile: {
        const [uri] = (params.arguments ?? []) as string[];
        return portFile(uri);
      }
      default:
        throw new ResponseError(-32601, `unknown command ${params.command}`);
    }
  });

  async function portFile(uri: string): Promise<WorkspaceEdit & { summary: PortSummary; target: string }> {
    await ready;
    if (!uri?.startsWith('file:')) throw new ResponseError(-32602, 'Port this file needs a file on disk');
    const path = fileURLToPath(uri);
    const d = docs.get(uri);
    if (d && rehearsal?.d === d) rehearsal.r.stop();
    let text: string;
    try {
      text = d?.doc.text ?? readFileSync(path, 'utf8');
    } catch (err) {
      throw new ResponseError(-32602, `cannot read ${path}: ${(err as Error).message}`);
    }
    // a notebook as saved (the client saves it first): its code cells ported together, into a copy of its JSON
    const res = path.endsWith('.ipynb') ? portNotebookJson(text, await settingsFor(uri)) : portText(text, await settingsFor(uri), db);
    const target = pathToFileURL(portedPath(path)).href;
    return {
      target,
      summary: res.summary,
      documentChanges: [
        { kind: 'create', uri: target, options: { overwrite: true } },
        { textDocument: { uri: target, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: res.text }] },
      ],
    };
  }

  function portNotebookJson(json: string, settings: Settings): { text: string; summary: PortSummary } {
    const nb = notebookOf(json);
    if ('skipped' in nb) throw new ResponseError(-32602, nb.skipped);
    const res = portNotebook(nb, settings, db);
    if ('skipped' in res) throw new ResponseError(-32603, res.skipped);
    return { text: res.json, summary: res.summary };
  }

  connection.onRequest(ReportRequest, async (params: ReportParams | undefined) => {
    if (params?.scan !== false || scanResults.size === 0) await scanWorkspace();
    // open documents are newer than what is on disk
    const results = [...scanResults.values()];
    return buildReport(results, workspaceFolders[0] ?? process.cwd());
  });

  connection.onRequest(ExplainRequest, async (params: ExplainParams) => {
    let names = params.names ?? [];
    let settings = DEFAULT_SETTINGS;
    if (params.uri && params.position) {
      const ctx = await context(params.uri);
      if (ctx) {
        settings = ctx.an.settings;
        const td = ctx.kind === 'doc' ? ctx.d.td : notebookDocs.cellTextDocuments.get(params.uri)!;
        const base = ctx.kind === 'doc' ? 0 : ctx.an.nb.cellStarts[ctx.index];
        const offset = td.offsetAt(params.position) + base;
        const use = smallestUseAt(ctx.an.uses, offset);
        names = use ? [use.qname] : [];
      }
    }
    return {
      entries: names.map((n) => {
        const e = db.get(n);
        return { torchApi: n, found: !!e, markdown: e ? explainMarkdown(db, e, targetOf(settings), n) : `\`${n}\`: not in MindPort's mapping database` };
      }),
    };
  });
}
