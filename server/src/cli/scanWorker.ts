// Worker thread of `mindport scan` (bundled to dist/scan-worker.js): loads tree-sitter and the mappings once
// (from dist/ and the shipped mappings folder, as the CLI does), then analyses the files it is sent. The language
// server also sends it the text of documents only opened (TextTask: lsp/offThreadAnalysis.ts), so that their
// analyses leave its own thread free for the document being typed in.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { initParser } from '../engine/parser';
import { analyzeText, useSpanOf, type UseSpan } from '../engine/analyze';
import type { Finding } from '../engine/findings';
import { analyzeFile, forSummary, type FileResult } from '../engine/project';
import { projectIndex } from '../engine/projectIndex';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';
import { reportPart, type StreamFormat } from '../engine/report';
import type { MappingDatabase } from '../mappings/database';
import { ScanCache, type CacheSpec, type Lookup } from './scanCache';
import { limitInlining } from '../v8Flags';

limitInlining(); // see v8Flags.ts; set by each entry point (a worker is an isolate of its own)

export interface ScanTask {
  index: number;
  path: string;
  settings: Settings;
  /** Set for a text or JSON report: the worker also makes the file's part of it (paths relative to `cwd`). */
  report?: { format: StreamFormat; cwd: string };
  /** Set when the scan keeps results between runs: the worker adds this file's. */
  cache?: CacheSpec;
}

/**
 * The editor's unsaved texts of Python files changed since the worker was last told ([path, text], a null text:
 * none any more): modules other files import are read from them (engine/projectIndex.ts `setUnsaved`).
 */
export type UnsavedTexts = [path: string, text: string | null][];

/** A document's text to analyse (the language server's documents only opened). */
export interface TextTask {
  kind: 'text';
  id: number;
  text: string;
  settings: Settings;
  unsaved?: UnsavedTexts;
}

/** What other files see of the module at `path` (projectIndex `exportsOf`), with the unsaved texts. */
export interface ExportsTask {
  kind: 'exports';
  id: number;
  path: string;
  root?: string;
  unsaved?: UnsavedTexts;
}

export interface ExportsReply {
  kind: 'exports';
  id: number;
  /** Absent when reading the module threw. */
  exports?: string;
}

/** What the server reads of a text's analysis (plain data); absent when the analysis threw. */
export interface TextReply {
  kind: 'text';
  id: number;
  analysis?: { findings: Finding[]; useSpans: UseSpan[]; internalErrors: string[] };
}

export interface ScanReply {
  index: number;
  /** Absent when the file could not be analysed or its result not sent: the main thread then analyses it. */
  result?: FileResult;
  /** The file's report part as UTF-8, when asked for (its buffer is transferred, not copied). */
  part?: Uint8Array;
  /** The result was read back from the scan cache. */
  cached?: boolean;
}

/** What the thread starting a worker tells it (`workerData`). */
export interface ScanWorkerData {
  /** Run at a lower priority than the rest of the process (the language server's scan: typing comes first). */
  lowPriority?: boolean;
}

/** The worker's niceness when lowPriority: the process's other threads get about ten times its share of a busy core. */
export const LOW_PRIORITY = 10;

/**
 * Lowers this thread's scheduling priority. Linux schedules threads, and `setpriority` given a thread id changes
 * only that thread; elsewhere the call would change the whole process, so it is not made.
 */
function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop()); // "<pid>/task/<tid>"
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, LOW_PRIORITY);
  } catch {
    /* no /proc, or not allowed: the scan runs at the usual priority */
  }
}

if (parentPort) {
  if ((workerData as ScanWorkerData | undefined)?.lowPriority) lowerThreadPriority();
  const port = parentPort;
  // tree-sitter and the mappings are loaded for the first file the cache does not have (none, in a scan of
  // unchanged files), or the first text
  let ready: Promise<MappingDatabase> | undefined;
  const database = () => (ready ??= initParser().then(() => loadDatabase()));
  let cache: ScanCache | undefined;
  const reply = (task: ScanTask, result: FileResult, cached: boolean) => {
    if (task.report) {
      // the report's part is formatted and encoded here; the main thread then needs of each finding only
      // what the summary and the exit status read, so that is all that is sent (much less to copy)
      const part = reportPart(task.report.format, result, task.report.cwd);
      port.postMessage({ index: task.index, result: forSummary(result), part, cached } satisfies ScanReply, [part.buffer as ArrayBuffer]);
    } else port.postMessage({ index: task.index, result, cached } satisfies ScanReply);
  };
  const failed = (task: ScanTask) => port.postMessage({ index: task.index } satisfies ScanReply);
  const analyseText = (task: TextTask, db: MappingDatabase) => {
    let analysis: TextReply['analysis'];
    try {
      const a = analyzeText(task.text, task.settings, db);
      analysis = { findings: a.findings, useSpans: (a.resolution?.uses ?? []).map(useSpanOf), internalErrors: a.internalErrors };
    } catch {
      analysis = undefined;
    }
    port.postMessage({ kind: 'text', id: task.id, analysis } satisfies TextReply);
  };
  port.on('message', (task: ScanTask | TextTask | ExportsTask) => {
    if ('kind' in task) {
      for (const [path, text] of task.unsaved ?? []) projectIndex.setUnsaved(path, text ?? undefined);
      if (task.kind === 'exports') {
        void database().then(
          () => {
            let exports: ExportsReply['exports'];
            try {
              exports = projectIndex.exportsOf(task.path, task.root);
            } catch {
              exports = undefined;
            }
            port.postMessage({ kind: 'exports', id: task.id, exports } satisfies ExportsReply);
          },
          () => port.postMessage({ kind: 'exports', id: task.id } satisfies ExportsReply),
        );
        return;
      }
      void database().then(
        (db) => analyseText(task, db),
        () => port.postMessage({ kind: 'text', id: task.id } satisfies TextReply),
      );
      return;
    }
    let found: Lookup | undefined;
    try {
      if (task.cache) {
        if (cache?.spec.dir !== task.cache.dir || cache.spec.fingerprint !== task.cache.fingerprint) cache = new ScanCache(task.cache);
        found = cache.lookup(task.path, task.settings);
        if ('result' in found) return reply(task, found.result, true);
      }
    } catch {
      return failed(task);
    }
    void database().then(
      (db) => {
        try {
          reply(task, found ? cache!.analyzeMiss(found, db) : analyzeFile(task.path, task.settings, db), false);
        } catch {
          failed(task);
        }
      },
      () => failed(task),
    );
  });
}
