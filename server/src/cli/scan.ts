// Scanning many files: in worker threads when there are enough files to pay for them, else in this thread.
// Workers (dist/scan-worker.js, beside this bundle) get file paths and settings and send back FileResults
// (plain data), and for a JSON report their part of it already formatted; results are returned in input order
// whatever order the workers finish in.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileResult } from '../engine/project';
import { analyzeFile } from '../engine/project';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';
import type { ScanReply, ScanTask } from './scanWorker';

export interface ScanOptions {
  jobs?: number;
  onProgress?: (done: number, total: number, path: string) => void;
  /** For `--format json`: workers also format each file's findings (formatJson's pieces), relative to this. */
  jsonCwd?: string;
}

export interface ScanOutput {
  /** In input order. */
  results: FileResult[];
  /**
   * Per file, the JSON report's piece when a worker made it (see ScanOptions.jsonCwd). Where it is set, that
   * file's findings in `results` carry only their code and severity.
   */
  jsonFragments: (string | undefined)[];
}

/** Below this many files, starting workers (each loads tree-sitter and the mappings) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 24;
/** Tasks kept queued per worker, so a worker never waits for the main thread between files. */
const IN_FLIGHT = 2;

function workerScript(): string | undefined {
  // only the bundled worker beside the bundled CLI: running from sources (tsx) scans in this thread
  const p = join(__dirname, 'scan-worker.js');
  return existsSync(p) ? p : undefined;
}

export async function scanFiles(files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions = {}): Promise<ScanOutput> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), files.length));
  const script = jobs > 1 && files.length >= MIN_FILES_FOR_WORKERS ? workerScript() : undefined;
  if (!script) return scanInThread(files, settingsFor, opts);
  return scanInWorkers(script, jobs, files, settingsFor, opts);
}

function scanInThread(files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions): ScanOutput {
  const db = loadDatabase();
  const results: FileResult[] = [];
  for (let i = 0; i < files.length; i++) {
    results.push(analyzeFile(files[i], settingsFor(files[i]), db));
    opts.onProgress?.(i + 1, files.length, files[i]);
  }
  return { results, jsonFragments: [] };
}

function scanInWorkers(script: string, jobs: number, files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions): Promise<ScanOutput> {
  // settings in input order (the resolver may print warnings: same order as a scan in one thread)
  const settings = files.map((f) => settingsFor(f));
  // largest files first, so no worker is left with a long file at the end
  const size = files.map((f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  });
  const queue = files.map((_, i) => i).sort((a, b) => size[b] - size[a] || a - b);
  const results: (FileResult | undefined)[] = new Array(files.length);
  const jsonFragments: (string | undefined)[] = new Array(files.length);
  const leftOver: number[] = []; // files a worker could not return: analysed here at the end
  let done = 0;
  let next = 0;

  return new Promise<ScanOutput>((resolve, reject) => {
    const live = new Set<Worker>();
    let finished = false;
    const complete = (i: number, r: FileResult) => {
      results[i] = r;
      done++;
      opts.onProgress?.(done, files.length, files[i]);
    };
    const finish = () => {
      if (finished || live.size > 0) return;
      finished = true;
      try {
        const db = leftOver.length ? loadDatabase() : undefined;
        for (const i of leftOver) complete(i, analyzeFile(files[i], settings[i], db!));
        resolve({ results: results as FileResult[], jsonFragments });
      } catch (err) {
        reject(err);
      }
    };
    for (let w = 0; w < jobs; w++) {
      const worker = new Worker(script);
      const inFlight = new Set<number>();
      live.add(worker);
      const feed = () => {
        while (inFlight.size < IN_FLIGHT && next < queue.length) {
          const i = queue[next++];
          inFlight.add(i);
          const task: ScanTask = { index: i, path: files[i], settings: settings[i], jsonCwd: opts.jsonCwd };
          worker.postMessage(task);
        }
        if (inFlight.size === 0) void worker.terminate();
      };
      worker.on('message', (m: ScanReply) => {
        inFlight.delete(m.index);
        if (m.result) {
          jsonFragments[m.index] = m.json;
          complete(m.index, m.result);
        }
        else leftOver.push(m.index);
        feed();
      });
      worker.on('error', () => {
        // a worker that dies hands its files back to this thread
        leftOver.push(...inFlight);
        inFlight.clear();
      });
      worker.on('exit', () => {
        leftOver.push(...inFlight);
        inFlight.clear();
        live.delete(worker);
        // files no worker took any more (all workers gone): analyse them here
        if (live.size === 0) while (next < queue.length) leftOver.push(queue[next++]);
        finish();
      });
      feed();
    }
  });
}
