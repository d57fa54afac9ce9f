// Worker thread of `mindport scan` (bundled to dist/scan-worker.js): loads tree-sitter and the mappings once
// (from dist/ and the shipped mappings folder, as the CLI does), then analyses the files it is sent.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { initParser } from '../engine/parser';
import { analyzeFile, forSummary, type FileResult } from '../engine/project';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';
import { reportPart, type StreamFormat } from '../engine/report';
import { ScanCache, type CacheSpec } from './scanCache';

export interface ScanTask {
  index: number;
  path: string;
  settings: Settings;
  /** Set for a text or JSON report: the worker also makes the file's part of it (paths relative to `cwd`). */
  report?: { format: StreamFormat; cwd: string };
  /** Set when the scan keeps results between runs: the worker adds this file's. */
  cache?: CacheSpec;
}

export interface ScanReply {
  index: number;
  /** Absent when the file could not be analysed or its result not sent: the main thread then analyses it. */
  result?: FileResult;
  /** The file's report part as UTF-8, when asked for (its buffer is transferred, not copied). */
  part?: Uint8Array;
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
  const ready = initParser().then(() => loadDatabase());
  let cache: ScanCache | undefined;
  port.on('message', (task: ScanTask) => {
    void ready.then(
      (db) => {
        let result: FileResult | undefined;
        try {
          if (task.cache && cache?.spec.dir !== task.cache.dir) cache = new ScanCache(task.cache);
          result = task.cache ? cache!.analyze(task.path, task.settings, db) : analyzeFile(task.path, task.settings, db);
          if (task.report) {
            // the report's part is formatted and encoded here; the main thread then needs of each finding only
            // what the summary and the exit status read, so that is all that is sent (much less to copy)
            const part = reportPart(task.report.format, result, task.report.cwd);
            const reply: ScanReply = { index: task.index, result: forSummary(result), part };
            port.postMessage(reply, [part.buffer as ArrayBuffer]);
          } else port.postMessage({ index: task.index, result } satisfies ScanReply);
        } catch {
          port.postMessage({ index: task.index } satisfies ScanReply);
        }
      },
      () => port.postMessage({ index: task.index } satisfies ScanReply),
    );
  });
}
