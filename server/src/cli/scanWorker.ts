// Worker thread of `mindport scan` (bundled to dist/scan-worker.js): loads tree-sitter and the mappings once
// (from dist/ and the shipped mappings folder, as the CLI does), then analyses the files it is sent.
import { parentPort } from 'node:worker_threads';
import { initParser } from '../engine/parser';
import { analyzeFile, type FileResult } from '../engine/project';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';

export interface ScanTask {
  index: number;
  path: string;
  settings: Settings;
}

export interface ScanReply {
  index: number;
  /** Absent when the file could not be analysed or its result not sent: the main thread then analyses it. */
  result?: FileResult;
}

if (parentPort) {
  const port = parentPort;
  const ready = initParser().then(() => loadDatabase());
  port.on('message', (task: ScanTask) => {
    void ready.then(
      (db) => {
        let result: FileResult | undefined;
        try {
          result = analyzeFile(task.path, task.settings, db);
          port.postMessage({ index: task.index, result } satisfies ScanReply);
        } catch {
          port.postMessage({ index: task.index } satisfies ScanReply);
        }
      },
      () => port.postMessage({ index: task.index } satisfies ScanReply),
    );
  });
}
