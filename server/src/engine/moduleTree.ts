// A module's syntax as tree-sitter trees of its top-level chunks (chunks.ts): each chunk's text is parsed
// alone, so after an edit only the chunks whose text changed are parsed again (incrementally, from their old
// tree, when one chunk spans the change), and an unclosed bracket re-shapes at most the rest of its own
// top-level statement. For valid code the copy (`copy`) is the tree a whole-file parse gives.
import { Edit } from 'web-tree-sitter';
import { chunkStarts, chunkStartsAfter } from './chunks';
import type { TextChange, TextRange } from './document';
import { countTreeErrors, copyParts, parsePython, type TsTree } from './parser';
import { rootInfo, type RootInfo, type SyntaxTree } from './syntax';
import { ownCopy, type LineIndex } from './text';

interface Chunk {
  /** Offsets of the chunk in the module's text. */
  start: number;
  end: number;
  /** The tree of text.slice(start, end), offsets relative to `start`. */
  tree: TsTree;
  /** Its root, and its top-level statements, relative to `start` (each read from the tree once, when needed). */
  root?: RootInfo;
  statements?: TopLevelStatement[];
}

function rootOf(c: Chunk): RootInfo {
  return (c.root ??= rootInfo(c.tree));
}

function statementsOf(c: Chunk): TopLevelStatement[] {
  if (!c.statements) {
    const root = c.tree.rootNode;
    const nodes = root.type === 'module' ? root.children : [root];
    c.statements = nodes.map((n) => ({ start: n.startIndex, end: n.endIndex, type: n.type, hasError: n.hasError }));
  }
  return c.statements;
}

/** A top-level statement (or comment) of the module. */
export interface TopLevelStatement {
  start: number;
  end: number;
  type: string;
  hasError: boolean;
}

export class ModuleTree {
  private statementList: TopLevelStatement[] | undefined;

  private constructor(
    readonly text: string,
    private readonly chunks: Chunk[],
  ) {}

  /** Parses `text` chunk by chunk. */
  static parse(text: string): ModuleTree {
    const starts = chunkStarts(text);
    const chunks: Chunk[] = [];
    try {
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        chunks.push({ start, end, tree: parsePython(ownCopy(text.slice(start, end))) }); // a tree keeps its source (ownCopy)
      }
    } catch (err) {
      for (const c of chunks) c.tree.delete();
      throw err;
    }
    return new ModuleTree(text, chunks);
  }

  /**
   * The tree of `text`, which is this tree's text with [change.start, change.end - change.delta) replaced by
   * text[change.start, change.end). Chunks outside the change keep their trees (this tree gives them up: delete
   * only the returned one). `changed`: the spans of the new text that were parsed again.
   */
  reparse(text: string, change: TextChange): { tree: ModuleTree; changed: TextRange[] } {
    const { delta } = change;
    const starts = chunkStartsAfter(
      text,
      this.chunks.map((c) => c.start),
      change,
    );
    const before = new Map<number, Chunk>(); // old chunks ending at or before the change, by start
    const after = new Map<number, Chunk>(); // old chunks starting at or after the change, by new start
    const around = new Map<number, Chunk>(); // old chunks overlapping the change, by start
    for (const c of this.chunks) {
      if (c.end <= change.start) before.set(c.start, c);
      else if (c.start >= change.end - delta) after.set(c.start + delta, c);
      else around.set(c.start, c);
    }
    const used = new Set<Chunk>();
    const chunks: Chunk[] = [];
    const changed: TextRange[] = [];
    const parsed: TsTree[] = [];
    try {
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        const kept = end <= change.start ? before.get(start) : start >= change.end ? after.get(start) : undefined;
        if (kept && kept.end - kept.start === end - start) {
          used.add(kept);
          chunks.push(kept.start === start ? kept : { ...kept, start, end });
          continue;
        }
        const old = around.get(start);
        let tree: TsTree;
        if (old && !used.has(old) && old.end + delta === end && old.start <= change.start) {
          // one chunk spans the change: parse it again from its old tree
          used.add(old);
          const source = ownCopy(text.slice(start, end));
          const from = change.start - start;
          const oldEnd = change.end - delta - start;
          const newEnd = change.end - start;
          const oldSource = this.text.slice(old.start, old.end);
          old.tree.edit(new Edit({
            startIndex: from,
            oldEndIndex: oldEnd,
            newEndIndex: newEnd,
            startPosition: pointAt(source, from),
            oldEndPosition: pointAt(oldSource, oldEnd),
            newEndPosition: pointAt(source, newEnd),
          }));
          tree = parsePython(source, old.tree);
        } else tree = parsePython(ownCopy(text.slice(start, end)));
        parsed.push(tree);
        chunks.push({ start, end, tree });
        changed.push({ start, end });
      }
    } catch (err) {
      for (const t of parsed) t.delete();
      throw err;
    }
    // the old trees not carried over are freed; those carried over now belong to the new ModuleTree
    const carried = new Set(chunks.map((c) => c.tree));
    for (const c of this.chunks) if (!carried.has(c.tree)) c.tree.delete();
    this.chunks.length = 0;
    return { tree: new ModuleTree(text, chunks), changed };
  }

  /** The module's top-level statements (and comments), in order, at their offsets in the text. */
  get statements(): readonly TopLevelStatement[] {
    if (!this.statementList) {
      const list: TopLevelStatement[] = [];
      for (const c of this.chunks) {
        for (const s of statementsOf(c)) list.push({ start: s.start + c.start, end: s.end + c.start, type: s.type, hasError: s.hasError });
      }
      this.statementList = list;
    }
    return this.statementList;
  }

  /** ERROR and MISSING nodes in the module (as SyntaxTree.errorCount counts them). */
  get errorCount(): number {
    let n = 0;
    for (const c of this.chunks) n += countTreeErrors(c.tree);
    return n;
  }

  /**
   * The engine's copy of the module's tree (syntax.ts); with `keepStatement`, only the top-level statements it
   * accepts (by position in `statements`), at their offsets in the text: chunks without one are not visited.
   */
  copy(lines?: LineIndex, keepStatement?: (i: number) => boolean): SyntaxTree {
    const all = this.chunks.map((c) => ({ tree: c.tree, base: c.start, root: rootOf(c) }));
    if (!keepStatement) return copyParts(all, this.text, lines);
    const first = all[0];
    const last = all[all.length - 1];
    const span = { start: first.root.start + first.base, end: last.root.end + last.base };
    // the chunks holding a kept statement, and the positions in `statements` of their statements
    const parts: typeof all = [];
    const positions: number[] = [];
    let at = 0;
    this.chunks.forEach((c, k) => {
      const n = statementsOf(c).length;
      let any = false;
      for (let i = at; i < at + n && !any; i++) any = keepStatement(i);
      if (any) {
        parts.push(all[k]);
        for (let i = at; i < at + n; i++) positions.push(i);
      }
      at += n;
    });
    if (!parts.length) return copyParts([first], this.text, lines, () => false, span); // nothing kept: an empty module
    return copyParts(parts, this.text, lines, (i) => keepStatement(positions[i]), span);
  }

  /** Frees the tree-sitter trees. */
  delete(): void {
    for (const c of this.chunks) c.tree.delete();
    this.chunks.length = 0;
  }
}

/** The (row, column) of an offset of `text` as tree-sitter counts them: rows end at LF, columns in UTF-16 units. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** Parses text into the engine's tree, chunk by chunk (the tree-sitter trees are freed at once). */
export function parseSyntax(text: string, lines?: LineIndex): SyntaxTree {
  const tree = ModuleTree.parse(text);
  try {
    return tree.copy(lines);
  } finally {
    tree.delete();
  }
}
