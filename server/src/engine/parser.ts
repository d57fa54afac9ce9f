// Loads tree-sitter (WebAssembly) and the Python grammar once per process, and parses Python text,
// incrementally when an old tree and the edits are given. The engine reads trees through SyntaxTree
// (syntax.ts), a copy in plain arrays; `TsTree` is tree-sitter's own tree, kept only for incremental parsing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree as TsTree } from 'web-tree-sitter';
import { copyTree, copyTrees, isCursorBinding, sameCopy, type CursorBinding, type NodeFilter, type SyntaxTree, type TreePart } from './syntax';
import { memoryCursor, type MemoryCursor } from './treeMemory';
import type { LineIndex } from './text';

export type { Tree as TsTree, Edit } from 'web-tree-sitter';
export type { SyntaxNode as Node, SyntaxTree as Tree, Point } from './syntax';

let ready: Promise<Language> | undefined;
let language: Language | undefined;
let loadedFrom: string | undefined;
let binding: CursorBinding | undefined;
/** The runtime's cursor functions (the `binding` above when memory cannot be read), kept for tests. */
let runtimeBinding: CursorBinding | undefined;

/**
 * Where the wasm files are: next to the bundle (dist/) when running bundled, else in node_modules.
 * `MINDPORT_WASM_DIR` overrides both (used by tests that prove the bundle loads its own copies).
 */
function wasmDirCandidates(): string[] {
  const dirs: string[] = [];
  if (process.env.MINDPORT_WASM_DIR) dirs.push(process.env.MINDPORT_WASM_DIR);
  dirs.push(__dirname, join(__dirname, '..'), join(__dirname, '..', 'dist'));
  return dirs;
}

function locate(file: string, fallback: string): string {
  for (const dir of wasmDirCandidates()) {
    const p = join(dir, file);
    if (existsSync(p)) return p;
  }
  return require.resolve(fallback);
}

/** Initialises tree-sitter and the Python grammar; safe to call many times. */
export function initParser(): Promise<Language> {
  if (!ready) {
    ready = (async () => {
      const runtime = locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm');
      // Emscripten makes the options object the runtime's module object: it then carries the exported
      // WebAssembly functions, which copyTree calls directly (falling back to the public API without them).
      const moduleObject: Record<string, unknown> = { locateFile: () => runtime };
      await Parser.init(moduleObject);
      if (isCursorBinding(moduleObject)) binding = runtimeBinding = moduleObject;
      const grammar = locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm');
      language = await Language.load(grammar);
      loadedFrom = grammar;
      if (runtimeBinding) binding = memoryCursor(moduleObject, language, agreesWithRuntime) ?? runtimeBinding;
      return language;
    })();
  }
  return ready;
}

/** The path the Python grammar was loaded from (for diagnostics and the bundle test). */
export function grammarPath(): string | undefined {
  return loadedFrom;
}

let shared: Parser | undefined;

function parser(): Parser {
  if (!language) throw new Error('initParser() must be awaited before parsing');
  if (!shared) {
    shared = new Parser();
    shared.setLanguage(language);
  }
  return shared;
}

/** Parses text; with `old` (already edited with `tree.edit`) tree-sitter reuses unchanged subtrees. */
export function parsePython(text: string, old?: TsTree): TsTree {
  const tree = parser().parse(text, old ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}


/**
 * Python that makes a tree-sitter walk meet every case the memory walk handles: fields, aliases, hidden nodes,
 * comments (extras) between arguments, external tokens (strings), tokens and whitespace too long to be packed
 * inline, non-ASCII text, ERROR and MISSING nodes.
 */
const WALK_SAMPLE = [
  'import os.path as p, sys  # é',
  'from . import (a, b as c)',
  '@dec(1)\nclass C(B, metaclass=M):\n    """doc ✓"""\n    def f(self, x: int = 1, *a, **k) -> None:\n        return [y for y in x if y] or {k: v for k, v in x}',
  'match x:\n    case [1, *rest] | {"k": v} as w if w:\n        pass\n    case C(a=1):\n        pass',
  'x = f(1,  # note\n      b=2)[3:4, ...] @ g(*s, **t)',
  `s = f"{x!r:>{w}} {'y'}" + 'q' + '${'z'.repeat(300)}'`,
  `${' '.repeat(300)}\ny = lambda a, *, b: (yield a) if b else not a`,
  'async def g():\n    async with a as b, c:\n        await d\n    global e\n    del f[0], g.h',
  'try:\n    pass\nexcept* (A, B) as e:\n    raise X from e\nfinally:\n    pass',
  'def broken(:\n    x = (1, 2\nwhile True print(1)\nif x\n    y = [1, 2',
].join('\n');

/** Whether the memory walk copies the sample exactly as the runtime's cursor functions do. */
function agreesWithRuntime(cursor: MemoryCursor): boolean {
  const tree = parsePython(WALK_SAMPLE);
  try {
    return sameCopy(copyTree(tree, WALK_SAMPLE, runtimeBinding), copyTree(tree, WALK_SAMPLE, cursor));
  } finally {
    tree.delete();
  }
}

/**
 * How trees are copied: by reading tree-sitter's memory (the fastest), through the runtime's cursor functions,
 * or through the public TreeCursor API.
 */
export function copyPath(): 'memory' | 'runtime' | 'api' {
  return binding === undefined ? 'api' : binding === runtimeBinding ? 'runtime' : 'memory';
}

/** The engine's copy of a tree made through the runtime's cursor functions (tests compare the paths). */
export function toSyntaxThroughRuntime(tree: TsTree, text: string, lines?: LineIndex, keepRootChild?: (i: number) => boolean): SyntaxTree {
  return copyTree(tree, text, runtimeBinding, lines, keepRootChild);
}

/** The engine's copy of a tree-sitter tree; `text` is the text that was parsed. */
export function toSyntax(tree: TsTree, text: string, lines?: LineIndex, keepRootChild?: (i: number) => boolean): SyntaxTree {
  return copyTree(tree, text, binding, lines, keepRootChild);
}

/** The engine's copy of the trees of consecutive parts of `text` as one module (moduleTree.ts). */
export function copyParts(
  parts: readonly TreePart[],
  text: string,
  lines?: LineIndex,
  keepRootChild?: (i: number) => boolean,
  span?: { start: number; end: number },
  dropNode?: NodeFilter,
): SyntaxTree {
  return copyTrees(parts, text, binding, lines, keepRootChild, span, dropNode);
}

/** Number of ERROR and MISSING nodes: descends only into subtrees that contain errors, not into ERROR nodes. */
export function countTreeErrors(tree: TsTree): number {
  if (!tree.rootNode.hasError) return 0;
  let n = 0;
  const cursor = tree.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.type === 'ERROR' || node.isMissing) n++;
      if (node.hasError && node.type !== 'ERROR' && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return n;
    }
  } finally {
    cursor.delete();
  }
}
