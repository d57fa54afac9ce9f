// Worker thread of `mindport scan` (bundled to dist/scan-worker.js): loads tree-sitter and the mappings once
// (from dist/ and the shipped mappings folder, as the CLI does), then analyses the files it is sent.
import { parentPort } from 'node:worker_threads';
import { initParser } from '../engine/parser';
import { analyzeFile, type FileResult } from '../engine/project';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';
import { jsonFindingsFragment } from '../engine/report';

export interface ScanTask {
  index: number;
  path: string;
  settings: Settings;
  /** Set for `--format json`: the worker also formats the file's findings for the report (relative to this). */
  jsonCwd?: string;
}

export interface ScanReply {
  index: number;
  /** Absent when the file could not be analysed or its result not sent: the main thread then analyses it. */
  result?: FileResult;
  /** The file's part of the JSON report, when asked for. */
  json?: string;
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
          if (task.jsonCwd !== undefined) {
            // the report's part is formatted here; the main thread then needs only each finding's code and
            // severity (the summary, the exit status), so that is all that is sent (much less to copy)
            const json = jsonFindingsFragment(result, task.jsonCwd);
            const findings = result.findings.map((f) => ({ code: f.code, severity: f.severity }));
            port.postMessage({ index: task.index, result: { ...result, findings: findings as FileResult['findings'] }, json } satisfies ScanReply);
          } else port.postMessage({ index: task.index, result } satisfies ScanReply);
        } catch {
          port.postMessage({ index: task.index } satisfies ScanReply);
        }
      },
      () => port.postMessage({ index: task.index } satisfies ScanReply),
    );
  });
}
