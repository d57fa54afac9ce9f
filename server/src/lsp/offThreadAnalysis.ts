// Analyses of documents only opened, in a worker thread (the bundled dist/scan-worker.js, found by
// cli/scan.ts `bundledWorkerScript`), so that the server's own thread stays free for the document being typed in.
// A 5,000-line file takes a fifth of a second to analyse: with a burst of opened files (editor tabs restored,
// files opened by a search) a keystroke arriving meanwhile waited for the analysis under way. The worker runs at
// a lower priority (scanWorker.ts), so on a busy machine the typing goes first.
//
// One worker, started on the first request and ended once it has had nothing to do for `idleMs` (it holds
// tree-sitter, the mappings and its own heap). A request fails (rejects) when the worker cannot start, dies or
// cannot analyse the text: the caller then analyses in its own thread, as without a worker. A worker that answers
// nothing for `stuckMs` while it has requests (an analysis that never ends) is stopped: the request it was working
// on fails with `AnalysisStuck` (the caller should not retry that text in its own thread), the others as when a
// worker dies, and the next request starts another.
//
// The editor's unsaved texts of Python files (`setUnsaved`) go to the worker with its next request, and all of them
// to a new worker: the modules other files import are read from them there too. `exportsOf` asks the worker what
// other files see of a module, so that the server re-analyses the documents importing it only when that changed.
import { Worker } from 'node:worker_threads';
import type { Settings } from '../engine/settings';
import type { ExportsReply, ExportsTask, ScanWorkerData, TextReply, TextTask, UnsavedTexts } from '../cli/scanWorker';

/** What the server reads of an analysis made in the worker (the worker's reply). */
export type OffThreadResult = NonNullable<TextReply['analysis']>;

/** After this many workers failed to start or died, no more are started: everything is analysed in-thread. */
const MAX_FAILURES = 3;

/** A request failed because the worker answered nothing for `stuckMs`: it was stopped. */
export class AnalysisStuck extends Error {}

export class OffThreadAnalysis {
  private worker: Worker | undefined;
  /** Requests waiting for their reply (each resolves with its own kind of answer). */
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  /** The editor's unsaved texts of Python files, and those the worker has not been told of yet (null: gone). */
  private readonly unsaved = new Map<string, string>();
  private toSend = new Map<string, string | null>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Fires when the worker has answered nothing for `stuckMs` while requests wait. */
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;

  constructor(
    private readonly script: string,
    private readonly idleMs = 1000,
    private readonly stuckMs = 60_000,
  ) {}

  /** False once workers kept failing: callers analyse in their own thread. */
  get usable(): boolean {
    return this.failures < MAX_FAILURES;
  }

  /** Whether the worker has analyses to finish. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Whether a worker is running now (it ends after idleMs without requests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The editor's unsaved text of a Python file (undefined: none any more); the worker is told with its next request. */
  setUnsaved(path: string, text: string | undefined): void {
    if (text !== undefined) this.unsaved.set(path, text);
    else if (!this.unsaved.delete(path)) return; // none to forget
    this.toSend.set(path, text ?? null);
  }

  analyze(text: string, settings: Settings): Promise<OffThreadResult> {
    return this.request((id, unsaved) => ({ kind: 'text', id, text, settings, unsaved }) satisfies TextTask);
  }

  /** What other files see of the module at `path`, with the unsaved texts (projectIndex `exportsOf`). */
  exportsOf(path: string, root: string | undefined): Promise<string> {
    return this.request((id, unsaved) => ({ kind: 'exports', id, path, root, unsaved }) satisfies ExportsTask);
  }

  private request<T>(message: (id: number, unsaved: UnsavedTexts | undefined) => TextTask | ExportsTask): Promise<T> {
    if (!this.usable) return Promise.reject(new Error('the analysis worker kept failing'));
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const worker = this.worker ?? this.start();
    worker.ref(); // kept alive while it has work (unref'd when idle: never what keeps the process running)
    const id = this.nextId++;
    const unsaved = this.toSend.size ? [...this.toSend] : undefined;
    this.toSend = new Map();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      worker.postMessage(message(id, unsaved));
      this.watchdog ??= this.armWatchdog(worker);
    });
  }

  /** Stops `worker` if it answers nothing for `stuckMs` (re-armed by each answer, cleared when nothing waits). */
  private armWatchdog(worker: Worker): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.watchdog = undefined;
      if (this.worker !== worker || this.pending.size === 0) return;
      this.worker = undefined;
      this.failures++;
      // the worker takes requests in order: the oldest is the one it was stuck in; the others were only waiting
      const [stuck] = this.pending.keys();
      const p = this.pending.get(stuck)!;
      this.pending.delete(stuck);
      p.reject(new AnalysisStuck(`the analysis answered nothing for ${Math.round(this.stuckMs / 1000)} s and was stopped`));
      this.failAll(new Error('the analysis worker was stopped (another analysis was stuck)'));
      void worker.terminate();
    }, this.stuckMs);
    t.unref();
    return t;
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the analysis worker was stopped'));
    void w?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: { lowPriority: true } satisfies ScanWorkerData });
    this.worker = worker;
    this.toSend = new Map(this.unsaved); // a new worker knows none of them
    worker.on('message', (m: TextReply | ExportsReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(this.watchdog);
      this.watchdog = this.pending.size > 0 && this.worker === worker ? this.armWatchdog(worker) : undefined;
      const answer = m.kind === 'text' ? m.analysis : m.exports;
      if (answer !== undefined) p.resolve(answer);
      else p.reject(new Error(m.kind === 'text' ? 'the analysis worker could not analyse the text' : 'the analysis worker could not read the module'));
      if (this.pending.size === 0 && this.worker === worker) {
        worker.unref();
        this.idleTimer = setTimeout(() => this.stopIdle(worker), this.idleMs);
        this.idleTimer.unref();
      }
    });
    const gone = (err?: Error) => {
      if (this.worker !== worker) return; // ended by dispose or stopIdle
      this.worker = undefined;
      this.failures++;
      this.failAll(err ?? new Error('the analysis worker exited'));
    };
    worker.on('error', gone);
    worker.on('exit', () => gone());
    return worker;
  }

  private stopIdle(worker: Worker): void {
    if (this.worker !== worker || this.pending.size > 0) return;
    this.worker = undefined;
    void worker.terminate();
  }

  private failAll(err: Error): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
