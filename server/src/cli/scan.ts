// Scanning many files: in worker threads when there is enough source to pay for them (or --jobs asks for
// them), else in this thread.
// Workers (dist/scan-worker.js, beside this bundle) get file paths and settings and send back FileResults
// (plain data) and, for a text or JSON report, their file's part of it already formatted and encoded. Files
// are handed out in input order and reported (onFile) in input order whatever order the workers finish in,
// so the report can be written while the scan goes on.
// With a scan cache (scanCache.ts), whichever thread handles a file looks it up first: a file found there is
// not analysed (a worker loads tree-sitter and the mappings only for its first file the cache lacks).
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { emptyStats } from '../engine/findings';
import type { FileResult } from '../engine/project';
import { analyzeFile, forSummary } from '../engine/project';
import { reportPart, type StreamFormat } from '../engine/report';
import type { Settings } from '../engine/settings';
import type { MappingDatabase } from '../mappings/database';
import { loadDatabase } from '../mappings/location';
import type { ScanCache } from './scanCache';
import type { ScanReply, ScanTask, ScanWorkerData } from './scanWorker';

export interface ScanOptions {
  jobs?: number;
  onProgress?: (done: number, total: number, path: string) => void;
  /** Each file's part of a report in this format (reportPart), paths relative to `cwd`, given to onFile. */
  report?: { format: StreamFormat; cwd: string };
  /**
   * Called once per file, in input order, as soon as it and every file before it are done; `part` is its report
   * part (UTF-8 bytes) when `report` is set. Where a worker made the part, the file's findings in
   * `result` carry only what a summary needs: code, severity and the first fix's applicability.
   */
  onFile?: (index: number, result: FileResult, part: Uint8Array | undefined) => void;
  /**
   * Analyse in workers whatever the size (the language server: its own thread stays free for the documents
   * being edited). Without the bundled worker (running from sources) the scan runs in this thread.
   */
  background?: boolean;
  /** Asked before each file is handed out; once true, no further file is analysed and the scan ends early. */
  isCancelled?: () => boolean;
  /**
   * Results kept between scans: files found there are not analysed (their results' fixes come without edits,
   * which no report reads); those analysed are added, and old entries pruned after.
   */
  cache?: ScanCache;
  /**
   * A worker that answers nothing for this long while it has files is stopped (default 60 s): the file it was on
   * is reported skipped and not analysed again, its other files go to a new worker. Tests shorten it.
   */
  stuckMs?: number;
  /** The worker script (tests: a stand-in); by default the bundled dist/scan-worker.js. */
  workerScript?: string;
}

/** How long a scan worker may answer nothing while it has files before it is stopped. */
export const STUCK_MS = 60_000;

/** The result of a file whose analysis a stopped worker never finished. */
export function stuckResult(path: string, stuckMs: number): FileResult {
  const s = Math.round(stuckMs / 100) / 10;
  return {
    path,
    findings: [],
    stats: emptyStats(),
    syntaxErrors: 0,
    lineCount: 0,
    skipped: `its analysis gave no answer for ${s} s and was stopped (please report this file)`,
    internalErrors: [],
  };
}

export interface ScanOutput {
  /** In input order; with a cancelled scan, only the files analysed before it stopped (the rest are missing). */
  results: FileResult[];
  cancelled?: boolean;
  /** Files whose result came from the cache. */
  cached?: number;
}

/** A file's report part made in this thread, when a report is asked for. */
function partHere(opts: ScanOptions, r: FileResult): Uint8Array | undefined {
  return opts.report ? reportPart(opts.report.format, r, opts.report.cwd) : undefined;
}

/** Calls onFile in input order as results come in, in any order. */
function inOrder(opts: ScanOptions, count: number) {
  const waiting = new Map<number, [FileResult, Uint8Array | undefined]>();
  let next = 0;
  return (i: number, r: FileResult, part: Uint8Array | undefined) => {
    if (!opts.onFile) return;
    waiting.set(i, [r, part]);
    for (let w = waiting.get(next); w && next < count; w = waiting.get(next)) {
      waiting.delete(next);
      opts.onFile(next++, w[0], w[1]);
    }
  };
}

/** Below this many files, starting workers (each loads tree-sitter and the mappings) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 24;
/** Tasks kept queued per worker, so a worker never waits for the main thread between files. */
const IN_FLIGHT = 2;

/**
 * The bundled worker beside this bundle (`dir`), or undefined: running from sources (tsx), scans (and the
 * language server's analyses of opened documents) run in this thread.
 */
export function bundledWorkerScript(dir = __dirname): string | undefined {
  const p = join(dir, 'scan-worker.js');
  return existsSync(p) ? p : undefined;
}

/**
 * Without --jobs, workers are started only for at least this much source. Each worker loads tree-sitter and the
 * mappings and warms up its own JIT, and two analyses at once each run slower (they share memory bandwidth): on
 * 2 cores, two workers were 50 % slower than this thread on 9k lines, slower on 46k, even at 100k lines (3.8 MB),
 * and faster from 200k lines (1.2x) to 420k (1.3x).
 */
const MIN_BYTES_FOR_WORKERS = 4_000_000;

function sourceBytes(files: string[]): number {
  let n = 0;
  for (const f of files) {
    try {
      n += statSync(f).size;
    } catch {
      /* unreadable: the analysis reports it */
    }
  }
  return n;
}

export async function scanFiles(files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions = {}): Promise<ScanOutput> {
  if (files.length === 0) return { results: [] };
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), files.length));
  const worthIt = files.length >= MIN_FILES_FOR_WORKERS && (opts.jobs !== undefined || sourceBytes(files) >= MIN_BYTES_FOR_WORKERS);
  const script = opts.workerScript ?? (opts.background ? bundledWorkerScript() : jobs > 1 && worthIt ? bundledWorkerScript() : undefined);
  const out = script ? await scanInWorkers(script, jobs, files, settingsFor, opts) : scanInThread(files, settingsFor, opts);
  // a scan that wrote entries looks for old ones to delete (ScanCache.prune: at most once a day)
  if (opts.cache && (out.cached ?? 0) < out.results.length) opts.cache.prune();
  return out;
}

/** One file analysed in this thread (read back from the cache when it has it); `hits` counts those. */
function analyzeHere(opts: ScanOptions, path: string, settings: Settings, db: MappingDatabase, hits: { n: number }): FileResult {
  if (!opts.cache) return analyzeFile(path, settings, db);
  const found = opts.cache.lookup(path, settings);
  if ('result' in found) hits.n++;
  return opts.cache.analyzeMiss(found, db);
}

function scanInThread(files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions): ScanOutput {
  const db = loadDatabase();
  const results: FileResult[] = [];
  const hits = { n: 0 };
  for (let i = 0; i < files.length; i++) {
    if (opts.isCancelled?.()) return { results, cancelled: true, cached: hits.n };
    const r = analyzeHere(opts, files[i], settingsFor(files[i]), db, hits);
    const part = partHere(opts, r);
    results.push(part ? forSummary(r) : r); // as a worker's result: the part holds the rest
    opts.onProgress?.(i + 1, files.length, files[i]);
    opts.onFile?.(i, r, part);
  }
  return { results, cached: hits.n };
}

function scanInWorkers(script: string, jobs: number, files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions): Promise<ScanOutput> {
  // settings in input order (the resolver may print warnings: same order as a scan in one thread)
  const settings = files.map((f) => settingsFor(f));
  // files are handed out in input order, so the report can be written from the start (a long file near the end
  // keeps one worker busy for at most its own analysis, a fraction of a second)
  const queue = files.map((_, i) => i);
  const results: (FileResult | undefined)[] = new Array(files.length);
  const report = inOrder(opts, files.length);
  const leftOver: number[] = []; // files a worker could not return: analysed here at the end
  const hits = { n: 0 };
  let done = 0;
  let next = 0;

  return new Promise<ScanOutput>((resolve, reject) => {
    const live = new Set<Worker>();
    let finished = false;
    const complete = (i: number, r: FileResult, part?: Uint8Array) => {
      results[i] = r;
      done++;
      opts.onProgress?.(done, files.length, files[i]);
      report(i, r, part ?? partHere(opts, r));
    };
    const finish = () => {
      if (finished || live.size > 0) return;
      finished = true;
      try {
        if (opts.isCancelled?.()) {
          resolve({ results: results.filter((r): r is FileResult => r !== undefined), cancelled: true, cached: hits.n });
          return;
        }
        const db = leftOver.length ? loadDatabase() : undefined;
        for (const i of leftOver) complete(i, analyzeHere(opts, files[i], settings[i], db!, hits));
        resolve({ results: results as FileResult[], cached: hits.n });
      } catch (err) {
        reject(err);
      }
    };
    const stuckMs = opts.stuckMs ?? STUCK_MS;
    const start = () => {
      const worker = new Worker(script, { workerData: { lowPriority: !!opts.background } satisfies ScanWorkerData });
      const inFlight = new Set<number>(); // in the order sent, which is the order a worker answers in
      let watchdog: NodeJS.Timeout | undefined;
      let stopped = false; // by the watchdog
      live.add(worker);
      // armed while the worker has files, re-armed by each answer
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = inFlight.size ? setTimeout(stuck, stuckMs) : undefined;
      };
      const stuck = () => {
        const [i] = inFlight; // the file it is on: analysing it again would hang this thread or the next worker
        inFlight.delete(i);
        complete(i, stuckResult(files[i], stuckMs));
        stopped = true;
        void worker.terminate();
      };
      const feed = () => {
        while (inFlight.size < IN_FLIGHT && next < queue.length && !opts.isCancelled?.()) {
          const i = queue[next++];
          inFlight.add(i);
          const task: ScanTask = { index: i, path: files[i], settings: settings[i], report: opts.report, cache: opts.cache?.spec };
          worker.postMessage(task);
        }
        if (inFlight.size === 0) void worker.terminate();
      };
      worker.on('message', (m: ScanReply) => {
        if (!inFlight.delete(m.index)) return; // an answer after the watchdog gave up on it
        if (m.cached) hits.n++;
        if (m.result) complete(m.index, m.result, m.part);
        else leftOver.push(m.index);
        feed();
        arm();
      });
      worker.on('error', () => {
        // a worker that dies hands its files back to this thread
        leftOver.push(...inFlight);
        inFlight.clear();
      });
      worker.on('exit', () => {
        clearTimeout(watchdog);
        if (stopped) {
          // its other files, and the rest of the queue, go to a new worker
          queue.splice(next, 0, ...inFlight);
          inFlight.clear();
          if (next < queue.length && !opts.isCancelled?.()) start();
        }
        leftOver.push(...inFlight);
        inFlight.clear();
        live.delete(worker);
        // files no worker took any more (all workers gone): analyse them here
        if (live.size === 0) while (next < queue.length) leftOver.push(queue[next++]);
        finish();
      });
      feed();
      arm();
    };
    for (let w = 0; w < jobs; w++) start();
  });
}
