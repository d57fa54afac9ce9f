// Reading source files for analysis: Python files and notebooks, with size limits and encoding fallbacks.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { readIpynbCells, joinCells, notebookOf, type NotebookJson, type NotebookText } from './notebook';
import { decodeSource } from './text';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export type SourceFile =
  | { kind: 'python'; path: string; text: string; warning?: string }
  | { kind: 'notebook'; path: string; text: string; notebook: NotebookText; cells: string[]; cellIndex: number[]; warning?: string }
  | { kind: 'skipped'; path: string; reason: string };

export type SkippedSource = Extract<SourceFile, { kind: 'skipped' }>;

export function readSource(path: string, maxBytes = MAX_FILE_BYTES): SourceFile {
  const read = readSourceBytes(path, maxBytes);
  return 'bytes' in read ? sourceFromBytes(path, read.bytes) : read;
}

/** A regular file's size and modification time as one string (undefined: no such file), to notice it changed. */
export function fileStamp(path: string): string | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? `${st.size}:${st.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** A file's bytes, or why it is skipped (too large, unreadable). */
export function readSourceBytes(path: string, maxBytes = MAX_FILE_BYTES): { bytes: Buffer } | SkippedSource {
  try {
    const size = statSync(path).size;
    if (size > maxBytes) {
      return { kind: 'skipped', path, reason: `file is ${(size / 1048576).toFixed(1)} MB, above the ${(maxBytes / 1048576).toFixed(0)} MB limit` };
    }
    return { bytes: readFileSync(path) };
  } catch (err) {
    return { kind: 'skipped', path, reason: (err as Error).message };
  }
}

/** A file's source from its bytes: a notebook's code cells joined, or Python text decoded (encoding fallbacks). */
export function sourceFromBytes(path: string, bytes: Buffer): SourceFile {
  try {
    if (path.endsWith('.ipynb')) {
      const code = readIpynbCells(bytes.toString('utf8'));
      const cells = code.map((c) => c.source);
      const notebook = joinCells(cells);
      return { kind: 'notebook', path, text: notebook.text, notebook, cells, cellIndex: code.map((c) => c.index) };
    }
    if (bytes.includes(0)) {
      const decoded = decodeSource(bytes);
      if (!decoded.encoding.startsWith('utf-16')) return { kind: 'skipped', path, reason: 'binary file (contains NUL bytes)' };
      return { kind: 'python', path, text: decoded.text, warning: decoded.warning };
    }
    const decoded = decodeSource(bytes);
    return { kind: 'python', path, text: decoded.text, warning: decoded.warning };
  } catch (err) {
    return { kind: 'skipped', path, reason: (err as Error).message };
  }
}

/** A notebook file's JSON text and its code cells, or why it cannot be read as one. */
export function readNotebookFile(path: string): NotebookJson | { skipped: string } {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  return notebookOf(json);
}

/** Whether `path` is `folder` or below it (both absolute). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
