// Writing fixed code cells back into an .ipynb file: only the changed cells' "source" values are replaced, in the
// file's own style (a list of lines or one string, its indentation and line ends); every other byte is kept.
// jsonc-parser finds each value's place in the text and formats the new one like its surroundings.
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';

/**
 * `json` with the source of the cells in `sources` (cell position among all cells, markdown included, as
 * readIpynbCells numbers them → new source) replaced.
 */
export function withCellSources(json: string, sources: ReadonlyMap<number, string>): string {
  const eol = json.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^\{\r?\n( +)"/.exec(json)?.[1].length ?? 1;
  let text = json;
  for (const [index, source] of sources) {
    const path = ['cells', index, 'source'];
    const node = findNodeAtLocation(parseTree(text)!, path);
    // nbformat keeps a list of lines, each with its newline but the last (a cell with no source gets one so)
    const value = node?.type === 'string' ? source : source.split(/(?<=\n)/);
    text = applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: indent, eol } }));
  }
  return text;
}

/**
 * `json` with its code cells' sources replaced by `cells` (one per code cell, in the order `code` lists them, as
 * readIpynbCells reads them); a cell whose text did not change is not touched, and nothing changed gives `json`.
 */
export function withCodeCells(json: string, code: readonly { source: string; index: number }[], cells: readonly string[]): string {
  const sources = new Map<number, string>();
  cells.forEach((text, i) => {
    if (text !== code[i].source) sources.set(code[i].index, text);
  });
  return sources.size ? withCellSources(json, sources) : json;
}
