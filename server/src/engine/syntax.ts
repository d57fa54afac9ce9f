// A syntax tree copied out of tree-sitter into plain JavaScript arrays, in one walk, and the node objects
// name resolution and the rules read. Why: every property read of a web-tree-sitter Node is a call into
// WebAssembly, and `namedChildren`, `parent` and `childForFieldName` allocate new Node objects on every call;
// the rules read each node many times, so analysis cost six times the parse. Here each node is visited once
// by a tree cursor (type, range, field) and everything after that is array reads.
//
// SyntaxNode offers the part of web-tree-sitter's Node interface the engine uses, with the same meaning
// (test/engine/syntax.test.ts compares the two on every node of real and broken files). As with web-tree-sitter,
// each read hands out a new node object: compare nodes by `id` (their index in the tree), never with `===`.
// Why not one object per node: a file's analysis reads most of its nodes, and a table holding them kept every
// one alive until the file was done, so nearly all survived the young generation (copied, promoted, paid for
// again in page faults); a node object now dies with the code that read it. The copy does not hold on to the
// tree-sitter tree, which may be deleted as soon as the copy is made.
import type { Language, Tree as TsTree, TreeCursor } from 'web-tree-sitter';
import { LineIndex } from './text';
import type { MemoryCursor } from './treeMemory';

const NAMED = 1;
const MISSING = 2;
const ERROR_TYPE_ID = 65535; // ts_builtin_sym_error as a uint16

/** The WebAssembly functions of web-tree-sitter's runtime that the fast walk calls directly. */
export interface CursorBinding {
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
}

const BINDING_FUNCTIONS: (keyof CursorBinding)[] = [
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
];

/** Whether `m` (the Emscripten module object web-tree-sitter was initialised with) exposes the cursor functions. */
export function isCursorBinding(m: unknown): m is CursorBinding {
  return !!m && BINDING_FUNCTIONS.every((f) => typeof (m as Record<string, unknown>)[f] === 'function');
}

/** Per-language tables: type names, which types are named, field ids by name. */
interface LanguageTables {
  types: string[];
  /** Every type id with this name (aliases can give several ids one name). */
  idsByName: Map<string, number[]>;
  named: Uint8Array;
  fieldIds: Map<string, number>;
  /** Type-id masks of the type-name lists walks have asked for (callers pass constant lists). */
  masks: WeakMap<readonly string[], Uint8Array>;
}
const tablesByLanguage = new WeakMap<Language, LanguageTables>();
function tablesOf(language: Language): LanguageTables {
  let t = tablesByLanguage.get(language);
  if (!t) {
    // indexed by every possible type id, so a lookup never misses (65535 is ERROR)
    const types: string[] = Array.from({ length: 65536 }, (_, id) => language.types[id] || 'ERROR');
    const named = new Uint8Array(65536);
    for (let id = 0; id < types.length; id++) named[id] = language.nodeTypeIsNamed(id) ? 1 : 0;
    named[ERROR_TYPE_ID] = 1;
    const fieldIds = new Map<string, number>();
    language.fields.forEach((name, id) => {
      if (name) fieldIds.set(name, id);
    });
    const idsByName = new Map<string, number[]>();
    for (let id = 0; id < language.types.length; id++) {
      const name = types[id];
      const list = idsByName.get(name) ?? [];
      list.push(id);
      idsByName.set(name, list);
    }
    idsByName.set('ERROR', [...(idsByName.get('ERROR') ?? []), ERROR_TYPE_ID]);
    t = { types, idsByName, named, fieldIds, masks: new WeakMap() };
    tablesByLanguage.set(language, t);
  }
  return t;
}

/** The per-node columns of a copied tree. */
interface Columns {
  type: Uint16Array;
  field: Uint8Array;
  flags: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  next: Int32Array; // next sibling, or -1
  first: Int32Array; // first child, or -1
  last: Int32Array; // subtree end (exclusive): the node's descendants are i+1 .. last[i]-1
  depth: Int32Array;
}

function columns(n: number, from?: Columns): Columns {
  const c: Columns = {
    type: new Uint16Array(n),
    field: new Uint8Array(n),
    flags: new Uint8Array(n),
    start: new Int32Array(n),
    end: new Int32Array(n),
    parent: new Int32Array(n),
    next: new Int32Array(n),
    first: new Int32Array(n),
    last: new Int32Array(n),
    depth: new Int32Array(n),
  };
  if (from) for (const k of Object.keys(c) as (keyof Columns)[]) c[k].set(from[k].subarray(0, Math.min(n, from[k].length)));
  return c;
}

/** Views of the first `n` entries of every column. */
function trimmed(c: Columns, n: number): Columns {
  return {
    type: c.type.subarray(0, n),
    field: c.field.subarray(0, n),
    flags: c.flags.subarray(0, n),
    start: c.start.subarray(0, n),
    end: c.end.subarray(0, n),
    parent: c.parent.subarray(0, n),
    next: c.next.subarray(0, n),
    first: c.first.subarray(0, n),
    last: c.last.subarray(0, n),
    depth: c.depth.subarray(0, n),
  };
}

/** The public TreeCursor API shaped like the runtime functions (which take the tree's address, unused here). */
function cursorBinding(c: TreeCursor): CursorBinding {
  return {
    _ts_tree_cursor_goto_first_child_wasm: () => (c.gotoFirstChild() ? 1 : 0),
    _ts_tree_cursor_goto_next_sibling_wasm: () => (c.gotoNextSibling() ? 1 : 0),
    _ts_tree_cursor_goto_parent_wasm: () => (c.gotoParent() ? 1 : 0),
    _ts_tree_cursor_current_node_type_id_wasm: () => c.nodeTypeId,
    _ts_tree_cursor_current_field_id_wasm: () => c.currentFieldId,
    _ts_tree_cursor_start_index_wasm: () => c.startIndex,
    _ts_tree_cursor_end_index_wasm: () => c.endIndex,
    _ts_tree_cursor_current_node_is_missing_wasm: () => (c.nodeIsMissing ? 1 : 0),
  };
}

/** The last child of node `x` of a copy being built (first-child and next-sibling columns), or -1. */
function lastChild(FC: Int32Array, N: Int32Array, x: number): number {
  let c = FC[x];
  while (c >= 0 && N[c] >= 0) c = N[c];
  return c;
}

/** The body (block) of the class or function statement `i` (decorated or not) of a copy being built, or -1. */
function definitionBody(T: Uint16Array, FC: Int32Array, N: Int32Array, tables: LanguageTables, i: number): number {
  let node = i;
  if (tables.types[T[node]] === 'decorated_definition') node = lastChild(FC, N, node);
  if (node < 0 || (tables.types[T[node]] !== 'class_definition' && tables.types[T[node]] !== 'function_definition')) return -1;
  const block = lastChild(FC, N, node);
  return block >= 0 && tables.types[T[block]] === 'block' ? block : -1;
}

/** Whether two copies hold the same nodes: every column of every node, and the error count. */
export function sameCopy(a: SyntaxTree, b: SyntaxTree): boolean {
  if (a.size !== b.size || a.errorCount !== b.errorCount) return false;
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    for (let i = 0; i < a.size; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return (
    same(a.typeIds, b.typeIds) &&
    same(a.fields, b.fields) &&
    same(a.flags, b.flags) &&
    same(a.starts, b.starts) &&
    same(a.ends, b.ends) &&
    same(a.parents, b.parents) &&
    same(a.nextSiblings, b.nextSiblings) &&
    same(a.firstChildren, b.firstChildren) &&
    same(a.subtreeEnds, b.subtreeEnds) &&
    same(a.depths, b.depths)
  );
}

/** What a copy needs of a tree's root (offsets relative to the tree's text). */
export interface RootInfo {
  typeId: number;
  type: string;
  start: number;
  end: number;
  hasError: boolean;
  descendants: number;
}

export function rootInfo(tree: TsTree): RootInfo {
  const r = tree.rootNode;
  return { typeId: r.typeId, type: r.type, start: r.startIndex, end: r.endIndex, hasError: r.hasError, descendants: r.descendantCount };
}

/**
 * A tree-sitter tree of part of a text: `text.slice(base, base + …)` was parsed (`root`: its rootInfo, if known).
 * A `member` part is a piece of the body of the class or function the part before it defines (moduleTree.ts splits large
 * ones so): its statements are copied into that body, after what is there.
 */
export interface TreePart {
  tree: TsTree;
  base: number;
  root?: RootInfo;
  member?: boolean;
  /**
   * The spans of its root's children (the root's own when it is not a module), relative to `base`, if known: a
   * member part all of whose statements `dropNode` drops is then left out without walking its tree (a long
   * function's body statements, each a part, mostly are).
   */
  children?: readonly { start: number; end: number }[];
}

/**
 * Copies a tree-sitter tree. `text` must be the text that was parsed. With `binding` the walk reads the tree
 * from the runtime's memory (a MemoryCursor, treeMemory.ts) or calls the runtime's cursor functions directly
 * (the module object given to `Parser.init`); without it, the public TreeCursor API (the same walk, several
 * times slower: each call copies the cursor in and out). `lines`, when the
 * caller already has a LineIndex of the text, serves the nodes' positions. With `keepRootChild`, only the root's
 * children it accepts (by position among the root's children) are copied, with their subtrees: the copy is the
 * tree of those statements alone, at their offsets in the text (incremental analysis).
 */
export function copyTree(tree: TsTree, text: string, binding?: CursorBinding, lines?: LineIndex, keepRootChild?: (i: number) => boolean): SyntaxTree {
  return copyTrees([{ tree, base: 0, root: undefined, member: false, children: undefined }], text, binding, lines, keepRootChild);
}

/**
 * Nodes to leave out of a copy, with their subtrees: asked of every node at `minDepth` or deeper (depth 1: the
 * root's children), with its offsets in the text. Incremental analysis leaves out the members of a class that
 * an edit elsewhere in the class cannot change.
 */
export interface NodeFilter {
  minDepth: number;
  drop(start: number, end: number, depth: number): boolean;
}

/**
 * Copies the trees of consecutive parts of `text` (its top-level chunks, moduleTree.ts) as one tree: one module
 * root, whose children are the parts' root children (a part whose root is not a module is a child itself), at
 * their offsets in `text`. `keepRootChild` counts the root's children across the parts given. The root spans
 * the parts, or `span` (when only some of a module's parts are given).
 */
export function copyTrees(
  parts: readonly TreePart[],
  text: string,
  binding?: CursorBinding,
  lines?: LineIndex,
  keepRootChild?: (i: number) => boolean,
  span?: { start: number; end: number },
  dropNode?: NodeFilter,
): SyntaxTree {
  if (!parts.length) throw new Error('copyTrees needs at least one tree');
  const tables = tablesOf(parts[0].tree.language);
  const roots = parts.map((p) => {
    const r = p.root ?? rootInfo(p.tree);
    return { ...r, start: r.start + p.base, end: r.end + p.base };
  });
  const moduleRoot = roots.find((r) => r.type === 'module') ?? roots[0];
  let cap = 1;
  for (const r of roots) cap += r.descendants;
  if (keepRootChild) cap = 4096;
  let cols = columns(cap);
  let { type: T, field: F, flags: FL, start: S, end: E, parent: P, next: N, first: FC, last: L, depth: D } = cols;
  // the module root, spanning every part (or the given span)
  T[0] = moduleRoot.typeId;
  FL[0] = tables.named[moduleRoot.typeId] | 0;
  S[0] = span ? span.start : roots[0].start;
  E[0] = span ? span.end : roots[roots.length - 1].end;
  P[0] = -1;
  N[0] = -1;
  FC[0] = -1;
  D[0] = 0;
  let count = 1;
  let errors = 0; // ERROR and MISSING nodes, not counting those inside an ERROR node
  let rootChild = -1; // position of the current node among the root's children, when it is one
  let prev = -1; // the previous sibling of the node being added
  const named = tables.named;
  let top = -1; // the last statement copied at depth 1
  let body = -1; // the class body member parts go into (-1: their class was left out)
  // after a member part: the body, its class or function (and a decorated definition around it) end with it
  const endMembers = (partEnd: number) => {
    for (let a = body; a > 0; a = P[a]) {
      L[a] = count;
      if (E[a] < partEnd) E[a] = partEnd;
    }
    prev = top;
  };
  for (let k = 0; k < parts.length; k++) {
    const { tree, base, member, children } = parts[k];
    const root = roots[k];
    if (member && body < 0) continue;
    if (!member) body = -1;
    if (member && dropNode && children?.length) {
      const depth0 = D[body] + 1;
      if (depth0 >= dropNode.minDepth && children.every((c) => dropNode.drop(c.start + base, c.end + base, depth0))) {
        endMembers(children[children.length - 1].end + base);
        continue;
      }
    }
    const checkMissing = root.hasError;
    let cursor: TreeCursor | undefined;
    try {
      const raw = (tree as unknown as Record<number, unknown>)[0];
      let m: CursorBinding;
      let address = 0;
      if (binding && typeof raw === 'number') {
        if ('reset' in binding) (binding as MemoryCursor).reset(raw); // reads the tree's memory (treeMemory.ts)
        else {
          // Each runtime function reads the cursor from web-tree-sitter's transfer buffer and the moves write it
          // back, so nothing is copied between calls as long as no other tree-sitter call runs in between.
          cursor = tree.walk();
          void cursor.startIndex; // puts this cursor into the transfer buffer
        }
        m = binding;
        address = raw;
      } else m = cursorBinding((cursor = tree.walk()));
      const first = m._ts_tree_cursor_goto_first_child_wasm;
      const next = m._ts_tree_cursor_goto_next_sibling_wasm;
      const up = m._ts_tree_cursor_goto_parent_wasm;
      const typeIdOf = m._ts_tree_cursor_current_node_type_id_wasm;
      const fieldOf = m._ts_tree_cursor_current_field_id_wasm;
      const startOf = m._ts_tree_cursor_start_index_wasm;
      const endOf = m._ts_tree_cursor_end_index_wasm;
      const missingOf = m._ts_tree_cursor_current_node_is_missing_wasm;
      // a module's children become the root's (a member part's: the class body's); any other root (a part that is
      // all error) is a child itself
      if (root.type === moduleRoot.type && first(address) !== 1) continue;
      const depth0 = member ? D[body] + 1 : 1;
      const firstCopied = count;
      let partEnd = -1; // the end of the part's last statement, copied or dropped
      let depth = depth0;
      let parent = member ? body : 0;
      if (member) prev = lastChild(FC, N, body);
      let errorDepth = -1; // depth of the ERROR node we are inside, or -1
      for (;;) {
        if (keepRootChild && !member && depth === 1 && !keepRootChild(++rootChild)) {
          // leave this statement out: on to the next one, or to the next part after the last
          if (next(address) === 1) continue;
          break;
        }
        if (count >= cap) {
          cap *= 2;
          cols = columns(cap, cols);
          ({ type: T, field: F, flags: FL, start: S, end: E, parent: P, next: N, first: FC, last: L, depth: D } = cols);
        }
        const start = startOf(address) + base;
        const end = endOf(address) + base;
        if (depth === depth0) partEnd = end;
        // a node the filter drops is left out with its subtree: on to its next sibling
        if (dropNode === undefined || depth < dropNode.minDepth || !dropNode.drop(start, end, depth)) {
          const i = count++;
          const type = typeIdOf(address);
          T[i] = type;
          F[i] = depth === depth0 ? 0 : fieldOf(address);
          S[i] = start;
          E[i] = end;
          P[i] = parent;
          FC[i] = -1;
          N[i] = -1;
          D[i] = depth;
          let flags = named[type];
          if (checkMissing) {
            const isError = type === ERROR_TYPE_ID;
            const isMissing = missingOf(address) === 1;
            if (isMissing) flags |= MISSING;
            if (isError || isMissing) {
              if (errorDepth < 0) errors++;
              if (isError && errorDepth < 0) errorDepth = depth;
            }
          }
          FL[i] = flags;
          if (prev >= 0) N[prev] = i;
          else FC[parent] = i;
          if (first(address) === 1) {
            parent = i;
            prev = -1;
            depth++;
            continue;
          }
          L[i] = i + 1;
          prev = i;
        }
        // on to the next sibling, or up to the first ancestor having one
        let done = false;
        while (next(address) !== 1) {
          if (depth === depth0) {
            done = true;
            break;
          }
          up(address);
          // back at `parent`: its subtree ends here
          L[parent] = count;
          prev = parent;
          parent = P[parent];
          depth--;
          if (errorDepth > depth) errorDepth = -1;
        }
        if (done) break;
        if (errorDepth >= depth) errorDepth = -1;
      }
      if (member) endMembers(partEnd);
      else if (prev >= firstCopied && D[prev] === 1) {
        top = prev;
        body = definitionBody(T, FC, N, tables, top);
      }
    } finally {
      cursor?.delete();
    }
  }
  L[0] = count;
  // The capacity counted every part's own root, which the copy leaves out: views of the first `count` entries
  // (copying every column again cost as much as filling it). A capacity that grew by doubling is copied down.
  if (count < cap) cols = count * 2 < cap ? columns(count, cols) : trimmed(cols, count);
  return new SyntaxTree(text, tables, cols, count, errors, lines);
}

/**
 * The type ids `nodesOfType` has been asked for in this process: the index of a tree holds only these (the
 * rules ask for a handful of types; indexing every named node allocated more than the rest of the copy).
 * Asking for a new type bumps `indexedVersion`, and a tree indexed before that is indexed again.
 */
const indexedTypes = new Uint8Array(65536);
/** A type mask marking every type id: walkNamed visits every named node. */
const EVERY_TYPE = new Uint8Array(65536).fill(1);
let indexedVersion = 0;

/**
 * The named nodes of the indexed types that a walk from the root reaches within `maxDepth` levels, by type
 * id, in document order.
 *
 * A function of its own that only returns what its loop built: the first tree's loop is long enough for V8 to
 * compile it on the stack (OSR) before the code after it ever ran, and that compiled loop is entered again for
 * every later tree (one per keystroke). Code after the loop that touched an object's property had no feedback
 * in it, and every tree was thrown out of the compiled code there (measured in the server: 110–173
 * deoptimisations in 200 edits).
 */
function namedNodesByType(tree: SyntaxTree, maxDepth: number): Map<number, number[]> {
  const { flags, parents, depths, typeIds, size } = tree;
  const reachable = new Uint8Array(size);
  const buckets = new Map<number, number[]>();
  const limit = depths[0] + maxDepth;
  for (let i = 0; i < size; i++) {
    const p = parents[i];
    if (!(flags[i] & NAMED) || (p >= 0 && !reachable[p]) || depths[i] > limit) continue;
    reachable[i] = 1;
    const type = typeIds[i];
    if (!indexedTypes[type]) continue;
    let b = buckets.get(type);
    if (!b) buckets.set(type, (b = []));
    b.push(i);
  }
  return buckets;
}

export class SyntaxTree {
  readonly size: number;
  /** ERROR and MISSING nodes, not counting those inside an ERROR node. */
  readonly errorCount: number;
  /** @internal */ readonly typeIds: Uint16Array;
  /** @internal */ readonly fields: Uint8Array;
  /** @internal */ readonly flags: Uint8Array;
  /** @internal */ readonly starts: Int32Array;
  /** @internal */ readonly ends: Int32Array;
  /** @internal */ readonly parents: Int32Array;
  /** @internal */ readonly nextSiblings: Int32Array;
  /** @internal */ readonly firstChildren: Int32Array;
  /** @internal */ readonly subtreeEnds: Int32Array;
  /** @internal */ readonly depths: Int32Array;
  /** @internal */ readonly types: string[];
  private readonly fieldIds: Map<string, number>;
  private readonly idsByName: Map<string, number[]>;
  private readonly masks: WeakMap<readonly string[], Uint8Array>;
  private lineIndex: LineIndex | undefined;

  /** @internal use copyTree */
  constructor(readonly text: string, tables: LanguageTables, cols: Columns, size: number, errorCount: number, lines?: LineIndex) {
    this.lineIndex = lines;
    this.size = size;
    this.errorCount = errorCount;
    this.typeIds = cols.type;
    this.fields = cols.field;
    this.flags = cols.flags;
    this.starts = cols.start;
    this.ends = cols.end;
    this.parents = cols.parent;
    this.nextSiblings = cols.next;
    this.firstChildren = cols.first;
    this.subtreeEnds = cols.last;
    this.depths = cols.depth;
    this.types = tables.types;
    this.fieldIds = tables.fieldIds;
    this.idsByName = tables.idsByName;
    this.masks = tables.masks;
  }

  get rootNode(): SyntaxNode {
    return this.node(0);
  }

  /**
   * Blocks without a statement (`if ok:` followed by nothing, or by a comment only): Python refuses them, and
   * tree-sitter parses them without an ERROR node, so errorCount does not count them.
   */
  emptyBlockCount(): number {
    const blocks = new Set(this.idsByName.get('block') ?? []);
    const comments = new Set(this.idsByName.get('comment') ?? []);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (!blocks.has(this.typeIds[i])) continue;
      let c = this.firstChildren[i];
      while (c >= 0 && (!(this.flags[c] & NAMED) || comments.has(this.typeIds[c]))) c = this.nextSiblings[c];
      if (c < 0) n++;
    }
    return n;
  }

  /**
   * The node with this index (0 is the root; indices follow document order, parents before children): a new
   * object on every call, as tree-sitter's own nodes (compare `id`s).
   */
  node(i: number): SyntaxNode {
    return new SyntaxNode(this, i);
  }

  /**
   * Calls `fn` on `from` and its named descendants in document order, the way a recursive walk over
   * `namedChildren` would: `fn` returning false skips that node's descendants, anonymous nodes and what is
   * below them are skipped, and nothing deeper than `maxDepth` levels below `from` is visited.
   */
  walkNamed(from: number, fn: (n: SyntaxNode) => boolean | void, maxDepth: number): void {
    this.walkMasked(from, EVERY_TYPE, undefined, (i) => fn(this.node(i)), maxDepth);
  }

  /**
   * The named nodes of these `types` that `walkNamed(from, …, maxDepth)` would visit, in the same order, without
   * entering nodes of the `prune` types below `from`: `fn` returning false skips that node's descendants. Only the
   * nodes `fn` is given are made into objects (for a rule looking for a few kinds of node in a large scope).
   * `types` and `prune` should be constant lists: each list's type mask is worked out once.
   */
  walkTypes(from: number, types: readonly string[], fn: (n: SyntaxNode) => boolean | void, prune?: readonly string[], maxDepth = 400): void {
    this.walkMasked(from, this.mask(types), prune ? this.mask(prune) : undefined, (i) => fn(this.node(i)), maxDepth);
  }

  /** As walkTypes, giving `fn` the nodes' indices (no node objects at all). */
  walkTypeIndices(from: number, types: readonly string[], fn: (i: number) => boolean | void, prune?: readonly string[], maxDepth = 400): void {
    this.walkMasked(from, this.mask(types), prune ? this.mask(prune) : undefined, fn, maxDepth);
  }

  /** The walk of walkNamed and walkTypes: `fn` is given the nodes whose type `visit` marks; `skip` marks types not entered below `from`. */
  private walkMasked(from: number, visit: Uint8Array, skip: Uint8Array | undefined, fn: (i: number) => boolean | void, maxDepth: number): void {
    const { flags, subtreeEnds, depths, typeIds } = this;
    const limit = depths[from] + maxDepth;
    const end = subtreeEnds[from];
    let i = from;
    while (i < end) {
      const type = typeIds[i];
      if (depths[i] > limit || (skip !== undefined && i !== from && skip[type]) || (visit[type] && fn(i) === false)) i = subtreeEnds[i];
      else i++;
      while (i < end && !(flags[i] & NAMED)) i = subtreeEnds[i];
    }
  }

  private mask(types: readonly string[]): Uint8Array {
    let m = this.masks.get(types);
    if (!m) {
      m = new Uint8Array(65536);
      for (const t of types) for (const id of this.idsByName.get(t) ?? []) m[id] = 1;
      this.masks.set(types, m);
    }
    return m;
  }

  /** The index of node `i`'s first child in the field `name`, or -1 (childForFieldName without a node object). */
  fieldChild(i: number, name: string): number {
    const id = this.fieldIds.get(name);
    if (id === undefined) return -1;
    const { firstChildren, nextSiblings, fields } = this;
    for (let c = firstChildren[i]; c >= 0; c = nextSiblings[c]) if (fields[c] === id) return c;
    return -1;
  }

  /** The index of node `i`'s parent, or -1 (the root). */
  parentAt(i: number): number {
    return this.parents[i];
  }

  /** The index of node `i`'s first named child, or -1. */
  firstNamedChildAt(i: number): number {
    const { nextSiblings, flags } = this;
    let c = this.firstChildren[i];
    while (c >= 0 && !(flags[c] & NAMED)) c = nextSiblings[c];
    return c;
  }

  /** The index of the next named sibling of node `i`, or -1. */
  nextNamedSiblingAt(i: number): number {
    const { nextSiblings, flags } = this;
    let c = nextSiblings[i];
    while (c >= 0 && !(flags[c] & NAMED)) c = nextSiblings[c];
    return c;
  }

  /** The type name of node `i`. */
  typeAt(i: number): string {
    return this.types[this.typeIds[i]];
  }

  /** The source text of node `i`. */
  textAt(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  /**
   * The nodes of these types that a walk from the root (`walkNamed(0, …, maxDepth)`) would visit, in the
   * same (document) order: one pass over the arrays the first time, then a lookup. For rules that look at
   * every call, loop or subscript of the file.
   */
  nodesOfType(types: readonly string[], maxDepth = 400): SyntaxNode[] {
    const found = this.indicesOfType(types, maxDepth);
    const out: SyntaxNode[] = new Array(found.length);
    for (let i = 0; i < found.length; i++) out[i] = this.node(found[i]);
    return out;
  }

  /** As nodesOfType, their indices (for a rule that can tell by index which of them it wants). */
  indicesOfType(types: readonly string[], maxDepth = 400): ArrayLike<number> {
    const ids = types.flatMap((t) => this.idsByName.get(t) ?? []);
    for (const id of ids) {
      if (!indexedTypes[id]) {
        indexedTypes[id] = 1;
        indexedVersion++;
      }
    }
    if (!this.byType || this.byTypeDepth !== maxDepth || this.byTypeVersion !== indexedVersion) {
      this.byType = namedNodesByType(this, maxDepth);
      this.byTypeDepth = maxDepth;
      this.byTypeVersion = indexedVersion;
    }
    const lists = ids.map((id) => this.byType!.get(id) ?? []).filter((l) => l.length);
    if (!lists.length) return [];
    if (lists.length === 1) return lists[0];
    // several types: their nodes in document order (a typed array sorts numbers natively, without a comparator)
    const found = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const l of lists) {
      found.set(l, at);
      at += l.length;
    }
    return found.sort();
  }
  private byType: Map<number, number[]> | undefined;
  private byTypeDepth = -1;
  private byTypeVersion = -1;

  /** The named nodes of these types in the subtree of node `from` (itself included), in document order: one pass over its arrays. */
  nodesOfTypeIn(from: number, types: readonly string[]): SyntaxNode[] {
    const wanted = new Set(types.flatMap((t) => this.idsByName.get(t) ?? []));
    const { flags, typeIds, subtreeEnds } = this;
    const out: SyntaxNode[] = [];
    for (let i = from, end = subtreeEnds[from]; i < end; i++) if (flags[i] & NAMED && wanted.has(typeIds[i])) out.push(this.node(i));
    return out;
  }

  /** ERROR and MISSING nodes in the subtree of node `from` (as `errorCount` counts them for the whole tree). */
  errorsIn(from: number): number {
    const { typeIds, flags, subtreeEnds } = this;
    let n = 0;
    for (let i = from, end = subtreeEnds[from]; i < end; ) {
      if (typeIds[i] === ERROR_TYPE_ID) {
        n++;
        i = subtreeEnds[i];
        continue;
      }
      if (flags[i] & MISSING) n++;
      i++;
    }
    return n;
  }

  /**
   * A table of facts derived per node (keyed by node index), one per `key` (the caller's own constant): what
   * several rules work out about the same node is worked out once per analysis (`dropMemos` ends it: a tree
   * kept with an analysis result keeps no such tables).
   */
  nodeMemo<T>(key: object): Map<number, T> {
    this.memos ??= new Map();
    let m = this.memos.get(key);
    if (!m) this.memos.set(key, (m = new Map()));
    return m as Map<number, T>;
  }
  private memos: Map<object, Map<number, unknown>> | undefined;
  dropMemos(): void {
    this.memos = undefined;
  }

  /** @internal */
  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }
}

export interface Point {
  row: number;
  column: number;
}

export class SyntaxNode {
  private childList: SyntaxNode[] | undefined;
  private namedList: SyntaxNode[] | undefined;

  /** @internal use SyntaxTree.node */
  constructor(readonly tree: SyntaxTree, readonly id: number) {}

  get type(): string {
    return this.tree.typeAt(this.id);
  }
  get isNamed(): boolean {
    return (this.tree.flags[this.id] & NAMED) !== 0;
  }
  get isMissing(): boolean {
    return (this.tree.flags[this.id] & MISSING) !== 0;
  }
  get startIndex(): number {
    return this.tree.starts[this.id];
  }
  get endIndex(): number {
    return this.tree.ends[this.id];
  }
  get startPosition(): Point {
    const p = this.tree.lines.positionAt(this.startIndex);
    return { row: p.line, column: p.character };
  }
  get endPosition(): Point {
    const p = this.tree.lines.positionAt(this.endIndex);
    return { row: p.line, column: p.character };
  }
  get text(): string {
    return this.tree.textAt(this.id);
  }
  get parent(): SyntaxNode | null {
    const p = this.tree.parentAt(this.id);
    return p < 0 ? null : this.tree.node(p);
  }
  /** Every child, anonymous ones (punctuation, keywords) included. */
  get children(): SyntaxNode[] {
    if (!this.childList) {
      const list: SyntaxNode[] = [];
      const { firstChildren, nextSiblings } = this.tree;
      for (let c = firstChildren[this.id]; c >= 0; c = nextSiblings[c]) list.push(this.tree.node(c));
      this.childList = list;
    }
    return this.childList;
  }
  get namedChildren(): SyntaxNode[] {
    if (!this.namedList) {
      const list: SyntaxNode[] = [];
      const { firstChildren, nextSiblings, flags } = this.tree;
      for (let c = firstChildren[this.id]; c >= 0; c = nextSiblings[c]) if (flags[c] & NAMED) list.push(this.tree.node(c));
      this.namedList = list;
    }
    return this.namedList;
  }
  /** The first named child, as tree-sitter's firstNamedChild (with nextNamedSibling: a walk that builds no array). */
  get firstNamedChild(): SyntaxNode | null {
    const c = this.tree.firstNamedChildAt(this.id);
    return c < 0 ? null : this.tree.node(c);
  }
  get nextNamedSibling(): SyntaxNode | null {
    const c = this.tree.nextNamedSiblingAt(this.id);
    return c < 0 ? null : this.tree.node(c);
  }
  /** The first child in the given field (`function`, `arguments`, `name`, ...), as tree-sitter's childForFieldName. */
  childForFieldName(name: string): SyntaxNode | null {
    const c = this.tree.fieldChild(this.id, name);
    return c < 0 ? null : this.tree.node(c);
  }
  /** The smallest node (named or not) that spans start..end, as tree-sitter's descendantForIndex. */
  descendantForIndex(start: number, end = start): SyntaxNode {
    const { firstChildren, nextSiblings, starts, ends } = this.tree;
    let node = this.id;
    for (;;) {
      let found = -1;
      for (let c = firstChildren[node]; c >= 0; c = nextSiblings[c]) {
        if (starts[c] > start) break;
        if (ends[c] < end) continue;
        if (ends[c] <= start && !(starts[c] === ends[c] && ends[c] === start)) continue;
        found = c;
        break;
      }
      if (found < 0) return this.tree.node(node);
      node = found;
    }
  }
}
