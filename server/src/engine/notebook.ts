// Jupyter notebooks: code cells are joined into one Python text (so an import in cell 1 resolves in cell 3),
// IPython magics and shell escapes are blanked into comments of the same length, and findings are mapped
// back to the cell and line they came from.
import type { Finding } from './findings';
import { LineIndex } from './text';

export interface NotebookText {
  text: string;
  /** Offset in `text` where each cell starts. */
  cellStarts: number[];
  cellLengths: number[];
}

/** Cell magics whose body is Python the kernel runs (`%%time` times it): the body is analysed. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit', 'px']);

/**
 * Blanks what Python cannot parse into comments of the same length, so offsets stay put: `%magic` and `!shell`
 * lines (and their output assigned, `files = !ls`), help requests (`torch.abs?`), and a `%%cell magic`'s line with, unless the body is Python (`%%time`), the body (`%%bash`, `%%writefile`,
 * `%%html`: text that would otherwise be parsed as Python, an unclosed quote in it swallowing the next cells).
 */
export function neutraliseMagics(cell: string): string {
  const cellMagic = /^\s*%%([A-Za-z_]\w*)?/.exec(cell);
  if (cellMagic && !PYTHON_CELL_MAGICS.has(cellMagic[1] ?? '')) return cell.replace(/^[^\r\n]/gm, '#');
  return (
    cell
      .replace(/^([ \t]*)([%!])/gm, (_m, indent: string) => `${indent}#`)
      // `files = !ls` and `out = %sx cmd` assign a command's output: `files = 0#s` (a value, the rest a comment)
      .replace(/^([ \t]*[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*)[!%]([^\r\n]?)/gm, (_m, lhs: string, next: string) => `${lhs}0${next && '#'}`)
      // `torch.abs?` and `??F.gelu` ask for help: the whole line
      .replace(/^([ \t]*)(?:\?{1,2}[A-Za-z_][\w.]*|[A-Za-z_][\w.]*\?{1,2})[ \t]*$/gm, (m, indent: string) => `${indent}#${m.slice(indent.length + 1)}`)
  );
}

export function joinCells(cells: string[]): NotebookText {
  const parts: string[] = [];
  const cellStarts: number[] = [];
  const cellLengths: number[] = [];
  let offset = 0;
  for (const cell of cells) {
    cellStarts.push(offset);
    cellLengths.push(cell.length);
    const text = neutraliseMagics(cell);
    parts.push(text);
    offset += text.length + 1; // the joining newline
  }
  return { text: parts.join('\n'), cellStarts, cellLengths };
}

/** Which cell an offset of the joined text belongs to, and the offset inside that cell. */
export function cellOf(nb: NotebookText, offset: number): { cell: number; offset: number } {
  let lo = 0;
  let hi = nb.cellStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (nb.cellStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { cell: lo, offset: Math.min(offset - nb.cellStarts[lo], nb.cellLengths[lo]) };
}

/** Splits findings per cell, with ranges and fix edits rebased onto each cell's own text. */
export function findingsPerCell(nb: NotebookText, cells: string[], findings: Finding[]): Finding[][] {
  const out: Finding[][] = cells.map(() => []);
  const indexes = cells.map((c) => new LineIndex(c));
  for (const f of findings) {
    const { cell, offset } = cellOf(nb, f.start);
    const base = nb.cellStarts[cell];
    const end = Math.min(f.end - base, nb.cellLengths[cell]);
    const idx = indexes[cell];
    out[cell].push({
      ...f,
      start: offset,
      end,
      range: idx.range(offset, end),
      // fixes whose edits leave the cell (an import added in another cell) are rebased per cell by the caller
      fixes: f.fixes.map((fix) => ({
        ...fix,
        edits: fix.edits.map((e) => ({ ...e, start: e.start - base, end: e.end - base })),
      })),
    });
  }
  return out;
}

/** A notebook's JSON text and its code cells (readIpynbCells). */
export interface NotebookJson {
  json: string;
  code: { source: string; index: number }[];
}

/** `json` with its code cells, or why it is not a notebook that can be read (broken JSON, no cell list). */
export function notebookOf(json: string): NotebookJson | { skipped: string } {
  try {
    return { json, code: readIpynbCells(json) };
  } catch (err) {
    return { skipped: (err as Error).message };
  }
}

/** Reads the code cells of an .ipynb file. Throws with a clear message on broken JSON. */
export function readIpynb(json: string): string[] {
  return readIpynbCells(json).map((c) => c.source);
}

/** The code cells of an .ipynb file with their position among all cells (markdown included), as editors number them. */
export function readIpynbCells(json: string): { source: string; index: number }[] {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (err) {
    throw new Error(`not a valid notebook (JSON): ${(err as Error).message}`);
  }
  const cells = (nb as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) throw new Error('not a valid notebook: no "cells" list');
  const isPython = (nb as { metadata?: { language_info?: { name?: string }; kernelspec?: { language?: string } } }).metadata;
  const lang = isPython?.language_info?.name ?? isPython?.kernelspec?.language ?? 'python';
  if (lang !== 'python') return [];
  return cells
    .map((c: { cell_type?: string; source?: string | string[] }, index: number) => ({ c, index }))
    .filter(({ c }) => c?.cell_type === 'code')
    .map(({ c, index }) => ({ source: Array.isArray(c.source) ? c.source.join('') : (c.source ?? ''), index }));
}
