// A module's syntax as tree-sitter trees of its top-level chunks (chunks.ts): each chunk's text is parsed
// alone, so after an edit only the chunks whose text changed are parsed again (incrementally, from their old
// tree, when one chunk spans the change), and an unclosed bracket re-shapes at most the rest of its own
// top-level statement. For valid code the copy (`copy`) is the tree a whole-file parse gives.
import { Edit } from 'web-tree-sitter';
import { chunkStarts, chunkStartsAfter, indexOfSorted } from './chunks';
import { classBodyOf, functionNameOf } from './definitions';
import type { TextChange, TextRange } from './document';
import { countTreeErrors, copyParts, parsePython, type TsTree } from './parser';
import { rootInfo, type NodeFilter, type RootInfo, type SyntaxTree } from './syntax';
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

/** A member of a top-level class's body: a method (`name`: a function definition's, decorated or not; else ''), an assignment, a comment. */
export interface ClassMember {
  start: number;
  end: number;
  type: string;
  name: string;
  hasError: boolean;
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
    const old = this.chunks;
    const oldStarts = old.map((c) => c.start);
    const starts = chunkStartsAfter(text, oldStarts, change);
    // old chunks by their (old) start, found by bisection (a flat script has thousands of chunks: no maps per edit)
    const at = (target: number): number => indexOfSorted(oldStarts, target);
    const carried = new Uint8Array(old.length); // 1: kept whole (moved), 2: parsed again from its tree
    const moves: number[] = []; // kept chunks whose start moves: index, new start, new end (applied once all parsed)
    const chunks: Chunk[] = [];
    const changed: TextRange[] = [];
    const parsed: TsTree[] = [];
    try {
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        // an old chunk wholly before the change at the same start, or wholly after it at the start moved by delta
        let i = end <= change.start ? at(start) : start >= change.end ? at(start - delta) : -1;
        if (i >= 0 && (end <= change.start ? old[i].end > change.start : old[i].start < change.end - delta)) i = -1;
        if (i >= 0 && !carried[i] && old[i].end - old[i].start === end - start) {
          carried[i] = 1;
          if (old[i].start !== start) moves.push(i, start, end);
          chunks.push(old[i]);
          continue;
        }
        // one chunk spans the change: parse it again from its old tree
        const j = at(start);
        const o = j >= 0 ? old[j] : undefined;
        let tree: TsTree;
        if (o && !carried[j] && o.end > change.start && o.start < change.end - delta && o.end + delta === end && o.start <= change.start) {
          carried[j] = 2;
          const source = ownCopy(text.slice(start, end));
          const from = change.start - start;
          const oldEnd = change.end - delta - start;
          const newEnd = change.end - start;
          const oldSource = this.text.slice(o.start, o.end);
          o.tree.edit(new Edit({
            startIndex: from,
            oldEndIndex: oldEnd,
            newEndIndex: newEnd,
            startPosition: pointAt(source, from),
            oldEndPosition: pointAt(oldSource, oldEnd),
            newEndPosition: pointAt(source, newEnd),
          }));
          tree = parsePython(source, o.tree);
        } else tree = parsePython(ownCopy(text.slice(start, end)));
        parsed.push(tree);
        chunks.push({ start, end, tree });
        changed.push({ start, end });
      }
    } catch (err) {
      for (const t of parsed) t.delete();
      throw err;
    }
    // the kept chunks now belong to the new ModuleTree, at their new offsets; the other old trees are freed
    for (let m = 0; m < moves.length; m += 3) {
      old[moves[m]].start = moves[m + 1];
      old[moves[m]].end = moves[m + 2];
    }
    for (let i = 0; i < old.length; i++) if (carried[i] !== 1) old[i].tree.delete();
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
   * With `dropNode`, the nodes it names are left out too (with their subtrees).
   */
  copy(lines?: LineIndex, keepStatement?: (i: number) => boolean, dropNode?: NodeFilter): SyntaxTree {
    const all = this.chunks.map((c) => ({ tree: c.tree, base: c.start, root: rootOf(c) }));
    if (!keepStatement) return copyParts(all, this.text, lines, undefined, undefined, dropNode);
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
    return copyParts(parts, this.text, lines, (i) => keepStatement(positions[i]), span, dropNode);
  }

  /**
   * The members of top-level statement `i` (by position in `statements`) when it defines a class (decorated or
   * not): the statements and comments of its body, at their offsets in the text. Undefined for anything else.
   */
  classMembers(i: number): ClassMember[] | undefined {
    let at = 0;
    for (const c of this.chunks) {
      const n = statementsOf(c).length;
      if (i >= at + n) {
        at += n;
        continue;
      }
      const root = c.tree.rootNode;
      const node = root.type === 'module' ? root.child(i - at) : root;
      const body = node ? classBodyOf(node) : null;
      if (!body) return undefined;
      return body.namedChildren.map((m) => ({ start: m!.startIndex + c.start, end: m!.endIndex + c.start, type: m!.type, name: functionNameOf(m!) ?? '', hasError: m!.hasError }));
    }
    return undefined;
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
