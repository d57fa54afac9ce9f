// Writing fixed code cells back into an .ipynb file: only the changed cells' "source" values are replaced, in the
// file's own style (a list of lines or one string, on one line or one item per line, its indentation and line
// ends); every other byte is kept. jsonc-parser finds the values' places in the text, parsed once however many
// cells change (a notebook with large outputs can be tens of megabytes).
import { applyEdits, findNodeAtLocation, modify, parseTree, type Edit, type Node as JsonNode } from 'jsonc-parser';

/**
 * `json` with the source of the cells in `sources` (cell position among all cells, markdown included, as
 * readIpynbCells numbers them → new source) replaced.
 */
export function withCellSources(json: string, sources: ReadonlyMap<number, string>): string {
  const eol = json.includes('\r\n') ? '\r\n' : '\n';
  const unit = ' '.repeat(/^\{\r?\n( +)"/.exec(json)?.[1].length ?? 1);
  const root = parseTree(json);
  const edits: Edit[] = [];
  const missing: [number, string][] = [];
  for (const [index, source] of sources) {
    const node = root && findNodeAtLocation(root, ['cells', index, 'source']);
    if (node) edits.push({ offset: node.offset, length: node.length, content: sourceValue(json, node, source, unit, eol) });
    else missing.push([index, source]);
  }
  let text = applyEdits(json, edits);
  // a code cell without a source (rare): jsonc-parser adds the property, parsing the text again for each
  for (const [index, source] of missing) {
    text = applyEdits(text, modify(text, ['cells', index, 'source'], source.split(/(?<=\n)/), { formattingOptions: { insertSpaces: true, tabSize: unit.length, eol } }));
  }
  return text;
}

/** The new value written as the old one is: a string, or nbformat's list of lines (each with its newline but the last). */
function sourceValue(json: string, node: JsonNode, source: string, unit: string, eol: string): string {
  if (node.type !== 'array') return JSON.stringify(source);
  const items = source.split(/(?<=\n)/).filter((l, i, all) => l !== '' || all.length === 1).map((l) => JSON.stringify(l));
  if (source === '') return '[]';
  const old = json.slice(node.offset, node.offset + node.length);
  if (!/[\r\n]/.test(old) && old !== '[]') return `[${items.join(', ')}]`; // written on one line: kept on one line
  const lineStart = json.lastIndexOf('\n', node.offset) + 1;
  const indent = /^[ \t]*/.exec(json.slice(lineStart, node.offset))![0];
  return `[${eol}${items.map((i) => `${indent}${unit}${i}`).join(`,${eol}`)}${eol}${indent}]`;
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
