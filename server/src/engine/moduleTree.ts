// A module's syntax as tree-sitter trees of its top-level chunks (chunks.ts): each chunk's text is parsed
// alone, so after an edit only the chunks whose text changed are parsed again (incrementally, from their old
// tree, when one chunk spans the change), and an unclosed bracket re-shapes at most the rest of its own
// top-level statement. A large class's or function's chunk is parsed in pieces too: its header with the first
// member, then each further member of the class or statement of the function (chunks.ts definitionCuts), so that
// typing in one method or statement re-parses that one and an unclosed bracket stays in it. For valid code the
// copy (`copy`) is the tree a whole-file parse gives.
import { Edit, type Node as TsNode } from 'web-tree-sitter';
import { chunkStarts, chunkStartsAfter, definitionCuts, indexOfSorted } from './chunks';
import { classBodyOf, functionBodyOf, memberNameOf } from './definitions';
import type { TextChange, TextRange } from './document';
import { countTreeErrors, copyParts, parsePython, toSyntax, type TsTree } from './parser';
import { rootInfo, type NodeFilter, type RootInfo, type SyntaxTree, type TreePart } from './syntax';
import { ownCopy, type LineIndex } from './text';

/** A span of the text parsed alone: a chunk, or a piece of a large class's chunk. */
interface Segment {
  /** Offsets in the module's text. */
  start: number;
  end: number;
  /** The tree of text.slice(start, end), offsets relative to `start`. */
  tree: TsTree;
  /** Its root, relative to `start` (read from the tree once, when needed). */
  root?: RootInfo;
  /** A piece's rootStatements, relative to `start` (read from the tree once, when needed). */
  rootNodes?: RootStatement[];
}

/** A statement of a piece's tree (rootStatements), and whether it is a named node (comments are; stray tokens not). */
interface RootStatement extends TopLevelStatement {
  named: boolean;
}

interface Chunk extends Segment {
  /**
   * A large class's chunk, parsed in pieces: `tree` is then the tree of its header and first member (up to the
   * first piece), and each piece one further member of its body (comments and blank lines after it included).
   */
  pieces?: Segment[];
  /**
   * With pieces: the comments after the definition (from the first one indented less than its body), and, when a
   * bracket left open in a function made the top-level scan keep the module's statements after it in its chunk,
   * those statements, each parsed alone as a chunk of its own would be (top-level statements of the module).
   */
  tails?: Segment[];
  /** Its top-level statements, relative to `start` (read from the trees once, when needed). */
  statements?: TopLevelStatement[];
}

// Segments and chunks are made by these two functions only, every field present: objects of one shape each, which
// V8 keeps in one hidden class (fields added later, or left out, gave the code that reads them several to tell apart,
// and recompiles when another came).
function segment(start: number, end: number, tree: TsTree, root?: RootInfo, rootNodes?: RootStatement[]): Segment {
  return { start, end, tree, root, rootNodes };
}
function chunk(start: number, end: number, tree: TsTree, root?: RootInfo): Chunk {
  return { start, end, tree, root, rootNodes: undefined, pieces: undefined, tails: undefined, statements: undefined };
}

/** Classes and functions of this many characters or more are parsed member by member (statement by statement). */
export const CLASS_PIECES_MIN_CHARS = 10000;

function rootOf(c: Segment): RootInfo {
  return (c.root ??= rootInfo(c.tree));
}

/**
 * The statements a segment's tree gives the module (or the class or function body a piece belongs to), as the
 * engine's copy takes them (syntax.ts copyTrees): a module root's children, or the root itself when it is not
 * a module (a segment that is all error).
 */
function rootStatements(tree: TsTree): TsNode[] {
  const root = tree.rootNode;
  return root.type === 'module' ? (root.children as TsNode[]) : [root];
}

function rootNodesOf(g: Segment): RootStatement[] {
  return (g.rootNodes ??= rootStatements(g.tree).map((n) => ({ start: n.startIndex, end: n.endIndex, type: n.type, hasError: n.hasError, named: n.isNamed })));
}

function statementsOf(c: Chunk): TopLevelStatement[] {
  if (!c.statements) {
    const nodes = rootStatements(c.tree);
    c.statements = nodes.map((n) => ({ start: n.startIndex, end: n.endIndex, type: n.type, hasError: n.hasError }));
    const last = c.pieces?.[c.pieces.length - 1];
    if (last && c.statements.length === 1) {
      // the definition ends where its last piece's last statement does
      const cls = c.statements[0];
      const end = rootNodesOf(last).at(-1)?.end; // its last statement
      if (end !== undefined) cls.end = end + last.start - c.start;
      cls.hasError ||= c.pieces!.some((p) => p.tree.rootNode.hasError);
    }
    for (const tail of c.tails ?? []) for (const n of rootStatements(tail.tree)) c.statements.push({ start: n.startIndex + tail.start - c.start, end: n.endIndex + tail.start - c.start, type: n.type, hasError: n.hasError });
  }
  return c.statements;
}

/**
 * Where a chunk text[start, end) is cut: its header, pieces and tails as consecutive spans; one span when it is
 * not a class or function of `min` characters or more (or is not to be cut). `tails`: how many of the last spans are tails.
 */
function spansOf(text: string, start: number, end: number, min: number): { bounds: number[]; tails: number } {
  const cuts = end - start >= min ? definitionCuts(text, start, end) : undefined;
  if (!cuts) return { bounds: [start, end], tails: 0 };
  return { bounds: [start, ...cuts.members, ...cuts.tails, end], tails: cuts.tails.length };
}

/** A chunk of the given segments (consecutive spans: the header, the pieces, then `tails` tails). */
function chunkOf(segments: Segment[], tails: number): Chunk {
  const head = segments[0];
  const c = chunk(head.start, segments[segments.length - 1].end, head.tree, head.root);
  if (segments.length > 1) {
    c.pieces = segments.slice(1, segments.length - tails);
    if (tails) c.tails = segments.slice(segments.length - tails);
  }
  return c;
}

/**
 * The old span (of `olds`, sorted, their starts `oldStarts`: found by bisection, a flat script has thousands
 * of chunks) whose text is the new text[a, b): wholly before the change at the same offsets, or wholly after it
 * moved by the change. -1: none.
 */
function sameSpan(olds: readonly Segment[], oldStarts: readonly number[], a: number, b: number, change: TextChange): number {
  const { delta } = change;
  const i = b <= change.start ? indexOfSorted(oldStarts, a) : a >= change.end ? indexOfSorted(oldStarts, a - delta) : -1;
  if (i < 0 || olds[i].end - olds[i].start !== b - a) return -1;
  return (b <= change.start ? olds[i].end <= change.start : olds[i].start >= change.end - delta) ? i : -1;
}

/** The old span the new text[a, b) replaces across the change: the same start, its end moved by the change. -1: none. */
function spanningSpan(olds: readonly Segment[], oldStarts: readonly number[], a: number, b: number, change: TextChange): number {
  const { delta } = change;
  const i = indexOfSorted(oldStarts, a);
  const g = i >= 0 ? olds[i] : undefined;
  return g && g.end > change.start && g.start < change.end - delta && g.end + delta === b && g.start <= change.start ? i : -1;
}

/** The segments of the chunks, in text order, and their starts. */
function oldSegments(chunks: readonly Chunk[]): { list: Segment[]; starts: number[] } {
  const list = chunks.flatMap(segmentsOf);
  return { list, starts: list.map((g) => g.start) };
}

/** The segments of a chunk: itself, or its header (up to the first piece), its pieces and its tails. */
function segmentsOf(c: Chunk): Segment[] {
  if (!c.pieces) return [c];
  return [segment(c.start, c.pieces[0].start, c.tree, c.root), ...c.pieces, ...(c.tails ?? [])];
}

/** Parses text[start, end) as one chunk, in pieces when it is a large class or function (a tree keeps its source: ownCopy). */
function parseChunk(text: string, start: number, end: number, min: number): Chunk {
  const { bounds, tails } = spansOf(text, start, end, min);
  const segments: Segment[] = [];
  try {
    for (let k = 0; k + 1 < bounds.length; k++) segments.push(segment(bounds[k], bounds[k + 1], parsePython(ownCopy(text.slice(bounds[k], bounds[k + 1])))));
  } catch (err) {
    for (const g of segments) g.tree.delete();
    throw err;
  }
  if (segments.length > 1 && !isDefinitionHeader(segments[0].tree)) {
    // the header does not parse as one definition (a colon being typed...): the pieces would have nowhere to go
    for (const g of segments) g.tree.delete();
    return chunk(start, end, parsePython(ownCopy(text.slice(start, end))));
  }
  return chunkOf(segments, tails);
}

/** Whether the tree of a definition's header (and first member) is one class or function statement with a body. */
function isDefinitionHeader(tree: TsTree): boolean {
  const root = tree.rootNode;
  const only = root.childCount === 1 ? root.child(0) : null;
  return !!only && !!(classBodyOf(only) ?? functionBodyOf(only));
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
    /** Classes and functions of this many characters or more are parsed in pieces (tests lower it). */
    private readonly piecesMin: number,
    /**
     * The statements of the tree this one was re-parsed from, when it had listed them, and how many of its first
     * chunks this tree kept where they were: their statements are the same (a flat script has thousands).
     */
    private before?: { list: readonly TopLevelStatement[]; chunks: number },
  ) {}

  /** Parses `text` chunk by chunk. */
  static parse(text: string, piecesMin = CLASS_PIECES_MIN_CHARS): ModuleTree {
    const starts = chunkStarts(text);
    const chunks: Chunk[] = [];
    try {
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        chunks.push(parseChunk(text, start, end, piecesMin));
      }
    } catch (err) {
      for (const c of chunks) for (const g of segmentsOf(c)) g.tree.delete();
      throw err;
    }
    return new ModuleTree(text, chunks, piecesMin);
  }

  /**
   * The tree of `text`, which is this tree's text with [change.start, change.end - change.delta) replaced by
   * text[change.start, change.end). Chunks outside the change keep their trees (this tree gives them up: delete
   * only the returned one). `changed`: the spans of the new text that were parsed again.
   */
  reparse(text: string, change: TextChange): { tree: ModuleTree; changed: TextRange[] } {
    const old = this.chunks;
    const oldStarts = old.map((c) => c.start);
    const starts = chunkStartsAfter(text, oldStarts, change);
    const carried = new Uint8Array(old.length); // 1: kept whole (moved)
    const moves: number[] = []; // kept chunks whose start moves: index, new start, new end (applied once all parsed)
    const chunks: Chunk[] = [];
    const changed: TextRange[] = [];
    const parsed: TsTree[] = [];
    const reused = new Set<TsTree>(); // trees of a re-parsed chunk's pieces kept as they were
    let segments: { list: Segment[]; starts: number[] } | undefined; // every old chunk's segments, in text order
    try {
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        // an old chunk of the same text, kept whole
        const i = sameSpan(old, oldStarts, start, end, change);
        if (i >= 0 && !carried[i]) {
          carried[i] = 1;
          if (old[i].start !== start) moves.push(i, start, end);
          chunks.push(old[i]);
          continue;
        }
        // a chunk of new text (the change is in it, or chunk starts moved): parsed again where its text changed,
        // from the old trees of any chunk (a bracket left open in a function merges the statements after it into
        // its chunk, whose trees are those of the old chunks)
        segments ??= oldSegments(old);
        chunks.push(this.reparseChunk(text, start, end, segments, change, parsed, reused, changed));
      }
    } catch (err) {
      for (const t of parsed) t.delete();
      throw err;
    }
    // the kept chunks now belong to the new ModuleTree, at their new offsets; the other old trees are freed
    for (let m = 0; m < moves.length; m += 3) {
      const c = old[moves[m]];
      const d = moves[m + 1] - c.start;
      c.start = moves[m + 1];
      c.end = moves[m + 2];
      for (const p of segmentsOf(c).slice(1)) {
        p.start += d;
        p.end += d;
      }
    }
    for (let i = 0; i < old.length; i++) if (carried[i] !== 1) for (const g of segmentsOf(old[i])) if (!reused.has(g.tree)) g.tree.delete();
    // the leading chunks kept at the same offsets (a kept chunk moved above has another start now)
    let same = 0;
    while (same < chunks.length && same < old.length && chunks[same] === old[same] && old[same].start === oldStarts[same]) same++;
    const before = this.statementList && same > 0 ? { list: this.statementList, chunks: same } : undefined;
    this.chunks.length = 0;
    this.statementList = undefined;
    return { tree: new ModuleTree(text, chunks, this.piecesMin, before), changed };
  }

  /**
   * The chunk text[start, end) of the new text, not an old chunk's text; `old`: the old chunks' segments. Its
   * segments (itself, or its header, pieces and tails) are parsed again where their text changed: a segment of
   * the same text as an old one (before the change at the same offsets, or after it moved by the change) keeps
   * its tree, the one spanning the change (same start, its end moved by the change) is re-parsed from its old tree.
   */
  private reparseChunk(text: string, start: number, end: number, old: { list: Segment[]; starts: number[] }, change: TextChange, parsed: TsTree[], reused: Set<TsTree>, changed: TextRange[]): Chunk {
    const { delta } = change;
    const { bounds, tails } = spansOf(text, start, end, this.piecesMin);
    const olds = old.list;
    const oldStarts = old.starts;
    const segments: Segment[] = [];
    const kept: TsTree[] = []; // old trees this chunk keeps
    const parsedFrom = parsed.length;
    const changedFrom = changed.length;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const a = bounds[k];
      const b = bounds[k + 1];
      const i = sameSpan(olds, oldStarts, a, b, change);
      const same = i >= 0 ? olds[i] : undefined;
      if (same && !reused.has(same.tree)) {
        reused.add(same.tree);
        kept.push(same.tree);
        segments.push(segment(a, b, same.tree, same.root, same.rootNodes));
        continue;
      }
      const h = spanningSpan(olds, oldStarts, a, b, change);
      const g = h >= 0 ? olds[h] : undefined;
      let tree: TsTree;
      if (g && !reused.has(g.tree)) {
        // the segment spanning the change: re-parsed from its old tree (which is then freed with the old chunk)
        const source = ownCopy(text.slice(a, b));
        const from = change.start - a;
        const oldEnd = change.end - delta - a;
        const newEnd = change.end - a;
        const oldSource = this.text.slice(g.start, g.end);
        g.tree.edit(new Edit({
          startIndex: from,
          oldEndIndex: oldEnd,
          newEndIndex: newEnd,
          startPosition: pointAt(source, from),
          oldEndPosition: pointAt(oldSource, oldEnd),
          newEndPosition: pointAt(source, newEnd),
        }));
        tree = parsePython(source, g.tree);
        if (k > 0 && k < bounds.length - 1 - tails) {
          // a piece of a definition's body: what changed is the edited text, and where tree-sitter found the syntax
          // changed (the other statements of a long function keep their analyses); a chunk's own statements (those
          // of a broken one can be single tokens, read with their neighbours) are re-checked whole
          changed.push({ start: a + from, end: a + newEnd });
          for (const r of g.tree.getChangedRanges(tree)) changed.push({ start: a + r.startIndex, end: a + r.endIndex });
        } else changed.push({ start: a, end: b });
      } else {
        tree = parsePython(ownCopy(text.slice(a, b)));
        changed.push({ start: a, end: b });
      }
      parsed.push(tree);
      segments.push(segment(a, b, tree));
    }
    if (segments.length > 1 && !isDefinitionHeader(segments[0].tree)) {
      // the header does not parse as one definition: parsed whole (the old trees kept go with the old chunk)
      for (const t of kept) reused.delete(t);
      for (const t of parsed.splice(parsedFrom)) t.delete();
      changed.length = changedFrom;
      const tree = parsePython(ownCopy(text.slice(start, end)));
      parsed.push(tree);
      changed.push({ start, end });
      return chunk(start, end, tree);
    }
    return chunkOf(segments, tails);
  }

  /** The module's top-level statements (and comments), in order, at their offsets in the text. */
  get statements(): readonly TopLevelStatement[] {
    if (!this.statementList) {
      let first = 0;
      let list: TopLevelStatement[] = [];
      if (this.before) {
        // the statements of the leading chunks kept where they were are those the old tree listed
        let n = 0;
        for (; first < this.before.chunks; first++) n += statementsOf(this.chunks[first]).length;
        list = this.before.list.slice(0, n);
        this.before = undefined;
      }
      for (let k = first; k < this.chunks.length; k++) {
        const c = this.chunks[k];
        for (const s of statementsOf(c)) list.push({ start: s.start + c.start, end: s.end + c.start, type: s.type, hasError: s.hasError });
      }
      this.statementList = list;
    }
    return this.statementList;
  }

  /** ERROR and MISSING nodes in the module (as SyntaxTree.errorCount counts them). */
  get errorCount(): number {
    let n = 0;
    for (const c of this.chunks) for (const g of segmentsOf(c)) n += countTreeErrors(g.tree);
    return n;
  }

  /**
   * The engine's copy of the module's tree (syntax.ts); with `keepStatement`, only the top-level statements it
   * accepts (by position in `statements`), at their offsets in the text: chunks without one are not visited.
   * With `dropNode`, the nodes it names are left out too (with their subtrees).
   */
  copy(lines?: LineIndex, keepStatement?: (i: number) => boolean, dropNode?: NodeFilter): SyntaxTree {
    // each chunk's parts: its tree, then (a large class in pieces) its pieces, whose statements go into the class
    // (then its tail: statements of the module again)
    // (every part with all of TreePart's fields: one hidden class for V8)
    const partsOf = (c: Chunk): TreePart[] => [
      { tree: c.tree, base: c.start, root: rootOf(c), member: false, children: undefined },
      ...(c.pieces ?? []).map((p) => ({ tree: p.tree, base: p.start, root: rootOf(p), member: true, children: dropNode && rootNodesOf(p) })),
      ...(c.tails ?? []).map((t) => ({ tree: t.tree, base: t.start, root: rootOf(t), member: false, children: undefined })),
    ];
    if (!keepStatement) return copyParts(this.chunks.flatMap(partsOf), this.text, lines, undefined, undefined, dropNode);
    const first = partsOf(this.chunks[0])[0];
    const lastChunk = this.chunks[this.chunks.length - 1];
    const lastParts = partsOf(lastChunk);
    const last = lastParts[lastParts.length - 1];
    const span = { start: first.root!.start + first.base, end: last.root!.end + last.base };
    // the chunks holding a kept statement, and the positions in `statements` of their statements
    const parts: TreePart[] = [];
    const positions: number[] = [];
    let at = 0;
    for (const c of this.chunks) {
      const n = statementsOf(c).length;
      let any = false;
      for (let i = at; i < at + n && !any; i++) any = keepStatement(i);
      if (any) {
        parts.push(...partsOf(c));
        for (let i = at; i < at + n; i++) positions.push(i);
      }
      at += n;
    }
    if (!parts.length) return copyParts([first], this.text, lines, () => false, span); // nothing kept: an empty module
    return copyParts(parts, this.text, lines, (i) => keepStatement(positions[i]), span, dropNode);
  }

  /**
   * The members of top-level statement `i` (by position in `statements`) when it defines a class (decorated or
   * not): the statements and comments of its body, at their offsets in the text. Undefined for anything else.
   */
  classMembers(i: number): ClassMember[] | undefined {
    const found = this.statementNode(i);
    const body = found && classBodyOf(found.node);
    if (!found || !body) return undefined;
    const member = (m: TsNode, base: number): ClassMember => ({ start: m.startIndex + base, end: m.endIndex + base, type: m.type, name: memberNameOf(m), hasError: m.hasError });
    const members = body.namedChildren.map((m) => member(m!, found.chunk.start));
    for (const p of found.chunk.pieces ?? []) for (const m of rootStatements(p.tree)) if (m.isNamed) members.push(member(m, p.start));
    return members;
  }

  /**
   * The statements of the body of the top-level function that statement `i` defines (decorated or not), at their
   * offsets in the text (those of its pieces too). Undefined for any other statement.
   */
  functionBody(i: number): TopLevelStatement[] | undefined {
    const found = this.statementNode(i);
    const body = found && functionBodyOf(found.node);
    if (!found || !body) return undefined;
    const base = found.chunk.start;
    const list = body.namedChildren.map((m) => ({ start: m!.startIndex + base, end: m!.endIndex + base, type: m!.type, hasError: m!.hasError }));
    for (const p of found.chunk.pieces ?? []) for (const m of rootNodesOf(p)) if (m.named) list.push({ start: m.start + p.start, end: m.end + p.start, type: m.type, hasError: m.hasError });
    return list;
  }

  /** Top-level statement `i`'s node in its chunk's (header) tree, and the chunk. */
  private statementNode(i: number): { chunk: Chunk; node: TsNode } | undefined {
    let at = 0;
    for (const chunk of this.chunks) {
      const n = statementsOf(chunk).length;
      if (i >= at + n) {
        at += n;
        continue;
      }
      const root = chunk.tree.rootNode;
      const node = root.type === 'module' ? root.child(i - at) : root;
      return node ? { chunk, node } : undefined;
    }
    return undefined;
  }

  /** Frees the tree-sitter trees. */
  delete(): void {
    for (const c of this.chunks) for (const g of segmentsOf(c)) g.tree.delete();
    this.chunks.length = 0;
  }
}

/** The (row, column) of an offset of `text` as tree-sitter counts them: rows end at LF, columns in UTF-16 units. */
export function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * Parses text into the engine's tree (the tree-sitter trees are freed at once). Valid code is parsed whole: its
 * tree is the one the chunks give (chunks.test.ts compares them node by node; so did 6,492 files of the corpus,
 * two standard libraries and dist-packages), made for less (one parse, one copy: 8 % less time for both over
 * the benchmark's corpus). Code with syntax errors is parsed chunk by chunk, as a document being edited is, so
 * that an unclosed bracket cannot re-shape the rest of the file.
 */
export function parseSyntax(text: string, lines?: LineIndex): SyntaxTree {
  const whole = parsePython(text);
  try {
    if (!whole.rootNode.hasError) return toSyntax(whole, text, lines);
  } finally {
    whole.delete();
  }
  const tree = ModuleTree.parse(text);
  try {
    return tree.copy(lines);
  } finally {
    tree.delete();
  }
}
