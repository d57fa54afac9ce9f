// The engine's copy of the syntax tree (syntax.ts) must say exactly what tree-sitter's own Node API says:
// every node's type, range, text, position, named and missing flags, parent, children, fields, the error count, for real files and for
// broken ones, by each way of copying: reading tree-sitter's memory (treeMemory.ts), calling the runtime's cursor
// functions, and through the public cursor API.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Edit, type Node as TsNode, type Tree as TsTree } from 'web-tree-sitter';
import { copyPath, countTreeErrors, initParser, parsePython, toSyntax, toSyntaxThroughRuntime } from '../../server/src/engine/parser';
import { ModuleTree, pointAt } from '../../server/src/engine/moduleTree';
import { copyTree, sameCopy, type SyntaxNode, type SyntaxTree } from '../../server/src/engine/syntax';
import { memoryCursor } from '../../server/src/engine/treeMemory';
import { ROOT } from './helpers';

before(async () => {
  await initParser();
});

function pythonFiles(dir: string, acc: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) pythonFiles(p, acc);
    else if (name.endsWith('.py')) acc.push(p);
  }
  return acc;
}

const BROKEN: Record<string, string> = {
  'unclosed call': 'import torch\nx = torch.zeros(2, 3\ny = 1\n',
  'missing colon': 'def f(x)\n    return torch.relu(x)\n',
  'stray dedent': 'class A:\n    def f(self):\n        pass\n  x = 1\n',
  'half an edit': 'import torch.nn as nn\nclass M(nn.Module):\n    def forward(self, x):\n        y = torch.re\n        return F.gelu(\n',
  'error inside error': 'x = (((( [ { ) ] ) ) ) :: @@ def\nif True\n  else:\n',
  'only garbage': '))))(((( $$$ ``` ',
  'empty': '',
  'non-ASCII': 'név = "žluťoučký kůň"  # 中文注释\nx = torch.tensor([1.0])  # ü\n',
  'CRLF': 'import torch\r\nx = torch.ones(3)\r\nif x:\r\n    pass\r\n',
};

function fieldNames(tree: TsTree): string[] {
  return tree.language.fields.filter((f): f is string => !!f);
}

/** Compares one node and, recursively, its children; returns the number of nodes compared. */
function compare(ts: TsNode, ours: SyntaxNode, fields: string[], where: string): number {
  const at = `${where} @${ts.startIndex}-${ts.endIndex} ${ts.type}`;
  assert.equal(ours.type, ts.type, at);
  assert.equal(ours.startIndex, ts.startIndex, `${at}: start`);
  assert.equal(ours.endIndex, ts.endIndex, `${at}: end`);
  assert.equal(ours.isNamed, ts.isNamed, `${at}: isNamed`);
  assert.equal(ours.isMissing, ts.isMissing, `${at}: isMissing`);
  assert.equal(ours.text, ts.text, `${at}: text`);
  assert.deepEqual(ours.startPosition, ts.startPosition, `${at}: startPosition`);
  assert.deepEqual(ours.endPosition, ts.endPosition, `${at}: endPosition`);
  assert.equal(ours.parent?.startIndex, ts.parent?.startIndex, `${at}: parent`);
  assert.equal(ours.parent?.type, ts.parent?.type, `${at}: parent type`);
  for (const f of fields) {
    const a = ts.childForFieldName(f);
    const b = ours.childForFieldName(f);
    assert.equal(b?.type, a?.type, `${at}: field ${f}`);
    assert.equal(b?.startIndex, a?.startIndex, `${at}: field ${f} start`);
    assert.equal(b?.endIndex, a?.endIndex, `${at}: field ${f} end`);
  }
  const named = ts.namedChildren.filter((c): c is TsNode => !!c);
  assert.deepEqual(ours.namedChildren.map((c) => `${c.type}@${c.startIndex}`), named.map((c) => `${c.type}@${c.startIndex}`), `${at}: namedChildren`);
  const walked: string[] = [];
  for (let c = ours.firstNamedChild; c; c = c.nextNamedSibling) walked.push(`${c.type}@${c.startIndex}`);
  assert.deepEqual(walked, named.map((c) => `${c.type}@${c.startIndex}`), `${at}: firstNamedChild/nextNamedSibling`);
  const kids = ts.children.filter((c): c is TsNode => !!c);
  assert.equal(ours.children.length, kids.length, `${at}: children`);
  let n = 1;
  kids.forEach((k, i) => (n += compare(k, ours.children[i], fields, where)));
  return n;
}

type CopyPath = 'memory' | 'runtime' | 'api';
const PATHS: CopyPath[] = ['memory', 'runtime', 'api'];
const PATH_NAMES: Record<CopyPath, string> = { memory: 'read from memory', runtime: "runtime's cursor functions", api: 'public cursor API' };

function copyBy(how: CopyPath, ts: TsTree, text: string): SyntaxTree {
  return how === 'memory' ? toSyntax(ts, text) : how === 'runtime' ? toSyntaxThroughRuntime(ts, text) : copyTree(ts, text);
}

function checkText(text: string, where: string, how: CopyPath): SyntaxTree {
  const ts = parsePython(text);
  try {
    const ours = copyBy(how, ts, text);
    const n = compare(ts.rootNode, ours.rootNode, fieldNames(ts), where);
    assert.equal(n, ours.size, `${where}: node count`);
    assert.equal(ours.errorCount, countTreeErrors(ts), `${where}: syntax errors`);
    // descendantForIndex at every 7th offset and for a few ranges
    for (let i = 0; i <= text.length; i += 7) {
      const a = ts.rootNode.descendantForIndex(i);
      const b = ours.rootNode.descendantForIndex(i);
      assert.equal(`${b.type}@${b.startIndex}-${b.endIndex}`, `${a?.type}@${a?.startIndex}-${a?.endIndex}`, `${where}: descendantForIndex(${i})`);
      const j = Math.min(text.length, i + 11);
      const c = ts.rootNode.descendantForIndex(i, j);
      const d = ours.rootNode.descendantForIndex(i, j);
      assert.equal(`${d.type}@${d.startIndex}-${d.endIndex}`, `${c?.type}@${c?.startIndex}-${c?.endIndex}`, `${where}: descendantForIndex(${i}, ${j})`);
    }
    return ours;
  } finally {
    ts.delete();
  }
}

describe('syntax tree copy', () => {
  test('a copy leaving out some class members is the full copy without their subtrees, links intact', () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
    const module = ModuleTree.parse(text);
    try {
      const full = module.copy();
      const members = full.rootNode.namedChildren.filter((c) => c.type === 'class_definition').flatMap((c) => c.childForFieldName('body')!.namedChildren);
      const gone = members.filter((_, i) => i % 3 === 1);
      assert.ok(gone.length >= 3, 'the fixture has classes with several members');
      const at = new Map(gone.map((m) => [m.startIndex, m.endIndex] as const));
      const cut = module.copy(undefined, undefined, { minDepth: 3, drop: (start, end) => at.get(start) === end });
      const inGone = (n: SyntaxNode) => gone.some((m) => n.startIndex >= m.startIndex && n.endIndex <= m.endIndex && n.startIndex < m.endIndex);
      const describeNode = (n: SyntaxNode | null) => (n ? `${n.type}@${n.startIndex}-${n.endIndex}` : '-');
      const nextKept = (n: SyntaxNode): SyntaxNode | null => {
        let x = n.nextNamedSibling;
        while (x && inGone(x)) x = x.nextNamedSibling;
        return x;
      };
      const want: string[] = [];
      const got: string[] = [];
      full.walkNamed(0, (n) => (inGone(n) ? false : void want.push(`${describeNode(n)} in ${describeNode(n.parent)} next ${describeNode(nextKept(n))}`)), 400);
      cut.walkNamed(0, (n) => void got.push(`${describeNode(n)} in ${describeNode(n.parent)} next ${describeNode(n.nextNamedSibling)}`), 400);
      assert.equal(got.length, want.length);
      assert.deepEqual(got, want);
      assert.ok(got.length < full.size, 'nothing was left out');
    } finally {
      module.delete();
    }
  });

  test('the fastest path, reading tree-sitter\'s memory, passed its check and is in use with the bundled web-tree-sitter', () => {
    assert.equal(copyPath(), 'memory');
  });

  for (const how of PATHS) {
    test(`every node of examples/ and test fixtures matches tree-sitter (${PATH_NAMES[how]})`, () => {
      const files = [...pythonFiles(join(ROOT, 'examples')), ...pythonFiles(join(ROOT, 'test', 'rules', 'fixtures')), ...pythonFiles(join(ROOT, 'test', 'remote', 'fixtures'))];
      assert.ok(files.length >= 5, 'sample files found');
      for (const f of files) checkText(readFileSync(f, 'utf8'), f, how);
    });

    test(`broken and unusual sources match tree-sitter (${PATH_NAMES[how]})`, () => {
      for (const [name, text] of Object.entries(BROKEN)) checkText(text, name, how);
    });
  }

  test('an incrementally re-parsed tree (sharing subtrees with the old one) reads the same from memory', () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
    let old = parsePython(text);
    let current = text;
    try {
      for (const [at, insert] of [[current.indexOf('def '), '@torch.no_grad()\n    '], [current.length, '\nx = f(1, (\n'], [10, '"é" + ']] as [number, string][]) {
        const next = current.slice(0, at) + insert + current.slice(at);
        old.edit(new Edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + insert.length, startPosition: pointAt(current, at), oldEndPosition: pointAt(current, at), newEndPosition: pointAt(next, at + insert.length) }));
        const tree = parsePython(next, old);
        old.delete();
        old = tree;
        current = next;
        assert.ok(sameCopy(toSyntax(tree, current), toSyntaxThroughRuntime(tree, current)), `after inserting ${JSON.stringify(insert)}`);
        checkText(current, 'edited', 'memory');
      }
    } finally {
      old.delete();
    }
  });

  test('nodesOfType and indicesOfType find what a walk from the root finds, in the same order', () => {
    const texts = [...pythonFiles(join(ROOT, 'examples')).map((f) => readFileSync(f, 'utf8')), ...Object.values(BROKEN)];
    const deep = `x = ${'('.repeat(450)}1${')'.repeat(450)}\ny = f(1)\n`; // deeper than the walk's limit
    for (const text of [...texts, deep]) {
      const ts = parsePython(text);
      const tree = toSyntax(ts, text);
      ts.delete();
      for (const types of [['call'], ['for_statement', 'while_statement'], ['subscript', 'call', 'keyword_argument'], ['ERROR'], ['integer'], ['no_such_type']]) {
        const walked: string[] = [];
        tree.walkNamed(0, (n) => void (types.includes(n.type) && walked.push(`${n.type}@${n.startIndex}`)), 400);
        assert.deepEqual(tree.nodesOfType(types).map((n) => `${n.type}@${n.startIndex}`), walked, `${types.join(',')} in ${text.slice(0, 40)}`);
        // the same nodes by index, for rules that look at an index before making a node
        assert.deepEqual(Array.from(tree.indicesOfType(types), (i) => `${tree.typeAt(i)}@${tree.starts[i]}`), walked, `indices of ${types.join(',')}`);
      }
    }
  });

  test('walkTypes visits what a walk filtered by type visits, stops where told, and prunes nested scopes', () => {
    const texts = [...pythonFiles(join(ROOT, 'examples')).map((f) => readFileSync(f, 'utf8')), ...Object.values(BROKEN)];
    const deep = `x = ${'('.repeat(450)}1${')'.repeat(450)}\ny = f(1)\n`;
    const SCOPES = ['function_definition', 'class_definition', 'lambda'];
    const lists = [['call'], ['assignment'], ['identifier', 'attribute'], ['ERROR'], ['no_such_type']];
    for (const text of [...texts, deep]) {
      const ts = parsePython(text);
      const tree = toSyntax(ts, text);
      ts.delete();
      const starts = [0, ...tree.nodesOfType(['function_definition', 'class_definition']).map((n) => n.id)];
      for (const from of starts) {
        for (const types of lists) {
          const where = `${types.join(',')} from ${from} in ${text.slice(0, 40)}`;
          const want: string[] = [];
          tree.walkNamed(from, (n) => void (types.includes(n.type) && want.push(`${n.type}@${n.startIndex}`)), 400);
          const got: string[] = [];
          tree.walkTypes(from, types, (n) => void got.push(`${n.type}@${n.startIndex}`));
          assert.deepEqual(got, want, where);
          // pruned: nothing inside a nested function, class or lambda
          const wantOwn: string[] = [];
          tree.walkNamed(from, (n) => (n.id !== from && SCOPES.includes(n.type) ? false : void (types.includes(n.type) && wantOwn.push(`${n.type}@${n.startIndex}`))), 400);
          const gotOwn: string[] = [];
          tree.walkTypes(from, types, (n) => void gotOwn.push(`${n.type}@${n.startIndex}`), SCOPES);
          assert.deepEqual(gotOwn, wantOwn, `pruned ${where}`);
          // by index, the same nodes
          const byIndex: string[] = [];
          tree.walkTypeIndices(from, types, (i) => void byIndex.push(`${tree.typeAt(i)}@${tree.starts[i]}`), SCOPES);
          assert.deepEqual(byIndex, wantOwn, `pruned by index ${where}`);
        }
      }
      // false from the callback skips what is below: only the outermost calls
      const outer: string[] = [];
      tree.walkNamed(0, (n) => (n.type === 'call' ? (outer.push(`@${n.startIndex}`), false) : undefined), 400);
      const got: string[] = [];
      tree.walkTypes(0, ['call'], (n) => (got.push(`@${n.startIndex}`), false));
      assert.deepEqual(got, outer);
    }
  });

  test('fieldChild, typeAt, textAt, parentAt and the named-child steps read what the node API does', () => {
    for (const text of [...pythonFiles(join(ROOT, 'examples')).map((f) => readFileSync(f, 'utf8')), ...Object.values(BROKEN)]) {
      const ts = parsePython(text);
      const tree = toSyntax(ts, text);
      ts.delete();
      for (let i = 0; i < tree.size; i++) {
        const n = tree.node(i);
        assert.equal(tree.typeAt(i), n.type);
        assert.equal(tree.textAt(i), n.text);
        for (const field of ['function', 'arguments', 'left', 'right', 'name', 'body', 'object', 'attribute', 'no_such_field']) {
          const c = tree.fieldChild(i, field);
          assert.equal(c < 0 ? null : c, n.childForFieldName(field)?.id ?? null, `${field} of ${n.type}@${n.startIndex}`);
        }
        // the named children by index, step by step, against the list built from every child
        const named: number[] = [];
        for (let c = tree.firstNamedChildAt(i); c >= 0; c = tree.nextNamedSiblingAt(c)) named.push(c);
        assert.deepEqual(named, n.children.filter((c) => c.isNamed).map((c) => c.id), `named children of ${n.type}@${n.startIndex}`);
        for (const c of n.children) assert.equal(tree.parentAt(c.id), i);
      }
    }
  });

  test('a node reached two ways has one id, and the copy outlives the tree-sitter tree', () => {
    const text = 'import torch\ny = torch.relu(x)\n';
    const ts = parsePython(text);
    const tree = toSyntax(ts, text);
    ts.delete();
    const assignment = tree.rootNode.namedChildren[1].namedChildren[0];
    const call = assignment.childForFieldName('right');
    assert.equal(call?.type, 'call');
    assert.equal(call?.childForFieldName('function')?.text, 'torch.relu');
    assert.equal(call?.parent?.id, assignment.id);
    const found = tree.rootNode.descendantForIndex(text.indexOf('torch.relu('), text.indexOf('(x)') + 2);
    assert.equal(found.id, call?.id);
    assert.equal(found.text, 'torch.relu(x)');
    assert.equal(tree.node(call!.id).startIndex, call?.startIndex);
  });

  for (const how of PATHS) {
    test(`a copy of some statements has exactly their subtrees, and errorsIn counts each one's errors (${PATH_NAMES[how]})`, () => {
      for (const text of [...pythonFiles(join(ROOT, 'examples')).map((f) => readFileSync(f, 'utf8')), ...Object.values(BROKEN)]) {
        const ts = parsePython(text);
        try {
          const all = ts.rootNode.children.filter((c): c is TsNode => !!c);
          const full = toSyntax(ts, text);
          const errors = (t: SyntaxTree) => t.rootNode.children.reduce((sum, c) => sum + t.errorsIn(c.id), 0);
          for (const pick of [(i: number) => i % 2 === 0, (i: number) => i % 3 === 1, () => false, () => true]) {
            const part = how === 'memory' ? toSyntax(ts, text, undefined, pick) : how === 'runtime' ? toSyntaxThroughRuntime(ts, text, undefined, pick) : copyTree(ts, text, undefined, undefined, pick);
            const kept = all.filter((_, i) => pick(i));
            assert.deepEqual(part.rootNode.children.map((c) => `${c.type}@${c.startIndex}`), kept.map((c) => `${c.type}@${c.startIndex}`), `kept statements of ${text.slice(0, 30)}`);
            let n = 1;
            kept.forEach((k, i) => (n += compare(k, part.rootNode.children[i], fieldNames(ts), 'partial copy')));
            assert.equal(n, part.size, 'nothing else is copied');
            assert.equal(errors(part), kept.reduce((sum, k) => sum + full.errorsIn(full.rootNode.children[all.indexOf(k)].id), 0), 'errors of the kept statements');
          }
          assert.equal(errors(full), full.errorCount, 'per-statement errors add up to the whole tree\'s');
        } finally {
          ts.delete();
        }
      }
    });
  }

  test('errors are counted once per error region, as the analysis reports them', () => {
    assert.equal(checkText('x = 1\n', 'clean', 'memory').errorCount, 0);
    assert.ok(checkText(BROKEN['unclosed call'], 'unclosed', 'memory').errorCount >= 1);
  });
});

describe('reading trees from memory: the layout check', () => {
  // a language record as an ABI-15 grammar lays it out (wasm32), in a heap of its own
  function fakeLanguage(opts: { abi?: number; names?: readonly string[]; fieldNames?: readonly string[] } = {}) {
    const buffer = new ArrayBuffer(4096);
    const heap = { HEAPU8: new Uint8Array(buffer), HEAPU16: new Uint16Array(buffer), HEAPU32: new Uint32Array(buffer) };
    const types = ['end', 'identifier', 'call'];
    const fields: (string | null)[] = [null, 'function', 'arguments'];
    const names = opts.names ?? types;
    const fieldNames = opts.fieldNames ?? ['function', 'arguments'];
    let free = 1024;
    const cString = (s: string) => {
      const at = free;
      heap.HEAPU8.set(Buffer.from(`${s}\0`, 'latin1'), at);
      free += s.length + 1;
      return at;
    };
    const L = 64;
    const u32 = (at: number, v: number) => (heap.HEAPU32[at >>> 2] = v);
    u32(L, opts.abi ?? 15);
    u32(L + 4, names.length); // symbols
    u32(L + 28, 2); // productions
    u32(L + 32, fieldNames.length);
    heap.HEAPU16[(L + 36) >>> 1] = 2; // longest alias sequence
    u32(L + 56, 512); // symbol names
    names.forEach((n, i) => u32(512 + 4 * i, cString(n)));
    u32(L + 60, 600); // field names, from 1
    fieldNames.forEach((n, i) => u32(600 + 4 * (i + 1), cString(n)));
    u32(L + 64, 700); // field map slices: production 0 none, production 1 one entry
    heap.HEAPU16[(700 + 4) >>> 1] = 0;
    heap.HEAPU16[(700 + 6) >>> 1] = 1;
    u32(L + 68, 720); // field map entries: field 1 on child 0
    heap.HEAPU16[720 >>> 1] = 1;
    u32(L + 76, 740); // public symbols
    u32(L + 84, 760); // alias sequences
    return { heap, language: { 0: L, types, fields } };
  }

  test('a record that reads back as the Language gives a cursor once the sample walk agrees', () => {
    const { heap, language } = fakeLanguage();
    assert.ok(memoryCursor(heap, language, () => true));
    assert.equal(memoryCursor(heap, language, () => false), undefined, 'a walk that disagrees is refused');
    assert.equal(
      memoryCursor(heap, language, () => {
        throw new Error('walked off the tree');
      }),
      undefined,
      'a walk that fails is refused',
    );
  });

  test('another ABI, other symbol or field names, or no memory views: refused, so the runtime is called instead', () => {
    const check = () => true;
    for (const [what, opts] of [
      ['ABI 14', { abi: 14 }],
      ['symbol names', { names: ['end', 'identifier', 'attribute'] }],
      ['field names', { fieldNames: ['function', 'argument'] }],
      ['field count', { fieldNames: ['function'] }],
    ] as const) {
      const { heap, language } = fakeLanguage(opts);
      assert.equal(memoryCursor(heap, language, check), undefined, what);
    }
    const { language } = fakeLanguage();
    assert.equal(memoryCursor({}, language, check), undefined, 'no views');
    assert.equal(memoryCursor(fakeLanguage().heap, { ...language, 0: undefined }, check), undefined, 'no address');
  });
});
