// Incremental parsing: a PythonDocument edited in place and re-parsed (only its changed chunks) gives the same
// tree as a fresh parse, over seeded random single-character edits and multi-line edits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PythonDocument, type DocumentEdit } from '../../server/src/engine/document';
import { ModuleTree } from '../../server/src/engine/moduleTree';
import { initParser, parsePython } from '../../server/src/engine/parser';
import { LineIndex } from '../../server/src/engine/text';
import { dumpTree, prng, ROOT } from './helpers';

before(async () => {
  await initParser();
});

function editAt(start: number, end: number, newText: string): DocumentEdit {
  return { start, end, newText };
}

/** The tree and its top-level statements (as `statements` lists them), as text. */
function dump(t: ModuleTree): string {
  return `${dumpTree(t.copy())}\n${t.statements.map((s) => `${s.type} ${s.start}-${s.end} ${s.hasError}`).join('\n')}`;
}

function fresh(text: string, classPiecesMinChars?: number): string {
  const t = ModuleTree.parse(text, classPiecesMinChars);
  try {
    return dump(t);
  } finally {
    t.delete();
  }
}

/** After each edit: the statements of a re-parsed tree reuse those its old tree listed (the leading ones). */
function current(doc: PythonDocument): string {
  return dump(doc.tree);
}

const SOURCE = readFileSync(join(ROOT, 'examples/weather_port/models/transformer.py'), 'utf8');

test('the fixture parses without errors to begin with', () => {
  const t = parsePython(SOURCE);
  assert.equal(t.rootNode.hasError, false);
  t.delete();
});

// the fixture with commented-out code in its classes: column-0 comments before each method and inside it
const COMMENTED = SOURCE.replace(/\n( {4}def \w+\(self[^\n]*\n)/g, '\n# def old(self):\n#     pass\n$1#        x = x\n');

test('the commented-out variant parses without errors and comments its methods', () => {
  const t = parsePython(COMMENTED);
  assert.equal(t.rootNode.hasError, false);
  t.delete();
  assert.ok(COMMENTED.split('# def old(self):').length > 5);
});

// (min: every class of that many characters or more is parsed member by member; 0: all of them)
for (const [seed, min, source] of [[1, undefined, SOURCE], [42, undefined, SOURCE], [20240601, undefined, SOURCE], [1, 0, SOURCE], [42, 0, SOURCE], [7, 0, SOURCE], [20240601, 0, SOURCE], [3, 0, COMMENTED], [11, 0, COMMENTED]] as const) {
  test(`400 random single-character edits (seed ${seed}${min === 0 ? ', classes in pieces' : ''}${source === COMMENTED ? ', commented-out code' : ''}) match a fresh parse after each`, () => {
    const rand = prng(seed);
    const doc = new PythonDocument(source, { classPiecesMinChars: min });
    void doc.tree;
    const alphabet = ['(', ')', '[', ']', ':', ',', ' ', '\n', '    ', 'a', 'x', '1', '.', '"', "'", '#', '=', '\\', 'é', '😀'];
    try {
      for (let i = 0; i < 400; i++) {
        const text = doc.text;
        const at = Math.floor(rand() * (text.length + 1));
        const kind = rand();
        let e: DocumentEdit;
        const ch = alphabet[Math.floor(rand() * alphabet.length)];
        if (kind < 0.4 || text.length === 0) e = editAt(at, at, ch); // insert
        else {
          // delete or replace one UTF-16 unit, never half a surrogate pair
          let end = Math.min(at + 1, text.length);
          let start = Math.min(at, text.length - 1);
          if (/[\udc00-\udfff]/.test(text[start] ?? '')) start--;
          if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end++;
          e = editAt(start, end, kind < 0.7 ? '' : ch);
        }
        doc.edit(e);
        assert.equal(current(doc), fresh(doc.text, min), `edit ${i}: ${JSON.stringify(e)}`);
      }
    } finally {
      doc.dispose();
    }
  });
}

test('multi-line edits: insert a block, replace a function body, delete lines, several edits before one parse', () => {
  const doc = new PythonDocument(SOURCE);
  void doc.tree;
  try {
    const apply = (start: number, end: number, newText: string) => doc.edit(editAt(start, end, newText));
    // insert a whole class after the imports
    const afterImports = doc.text.indexOf('\n\n') + 1;
    apply(afterImports, afterImports, '\nclass Extra(nn.Module):\n    def forward(self, x):\n        return x.view(-1)\n');
    assert.equal(current(doc), fresh(doc.text));
    // replace the body of the first def with three lines (CRLF inside)
    const def = doc.text.indexOf('    def ');
    const bodyStart = doc.text.indexOf('\n', def) + 1;
    const bodyEnd = doc.text.indexOf('\n\n', bodyStart);
    apply(bodyStart, bodyEnd, '        a = 1\r\n        b = [a,\r\n             2]\r\n        return b');
    assert.equal(current(doc), fresh(doc.text));
    // delete lines 3..6
    const idx = new LineIndex(doc.text);
    apply(idx.lineStart(2), idx.lineStart(6), '');
    assert.equal(current(doc), fresh(doc.text));
    // several edits before a single re-parse, back to front so offsets stay valid
    const t = doc.text;
    const third = Math.floor(t.length / 3);
    doc.edit(editAt(2 * third, 2 * third + 5, 'if x:\n    pass\n'));
    doc.edit(editAt(third, third, '"""doc\nstring"""\n'));
    doc.edit(editAt(0, 0, '# header\n'));
    assert.equal(current(doc), fresh(doc.text));
    // open an unterminated triple-quoted string, then close it
    const mid = doc.text.indexOf('\n', Math.floor(doc.text.length / 2)) + 1;
    doc.edit(editAt(mid, mid, '"""\n'));
    assert.equal(current(doc), fresh(doc.text));
    doc.edit(editAt(doc.text.length, doc.text.length, '\n"""\n'));
    assert.equal(current(doc), fresh(doc.text));
  } finally {
    doc.dispose();
  }
});

test('a class in pieces whose header stops parsing as a class (its name deleted) is parsed whole, then in pieces again', () => {
  const cls = `import torch\n\n\nclass Net(torch.nn.Module):\n${Array.from({ length: 6 }, (_, i) => `    def m${i}(self, x):\n        return torch.abs(x)\n`).join('\n')}\n\nnet = Net()\n`;
  const doc = new PythonDocument(cls, { classPiecesMinChars: 0 });
  void doc.tree;
  try {
    const name = cls.indexOf('Net(');
    const colon = cls.indexOf('):') + 1;
    doc.edit(editAt(name, colon, '')); // `class :`
    // the pieces would have no class to go into: the chunk parsed whole, as without pieces
    assert.equal(current(doc), fresh(doc.text, 0));
    assert.equal(current(doc), fresh(doc.text, Infinity));
    assert.equal(current(doc).match(/function_definition/g)?.length, 6, 'every method is still in the tree');
    doc.edit(editAt(name, name, cls.slice(name, colon)));
    assert.equal(doc.text, cls);
    assert.equal(current(doc), fresh(doc.text, 0));
  } finally {
    doc.dispose();
  }
});

test('replace() starts over and dispose() is idempotent', () => {
  const doc = new PythonDocument('x = 1\n');
  assert.equal(current(doc), fresh('x = 1\n'));
  doc.replace('import torch\n');
  assert.equal(doc.text, 'import torch\n');
  assert.equal(current(doc), fresh('import torch\n'));
  doc.dispose();
  doc.dispose();
});
