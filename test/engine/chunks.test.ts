// Chunked parsing: where top-level statements start (chunks.ts), that parsing chunk by chunk gives the tree a
// whole-file parse gives for valid code (moduleTree.ts), and that an unclosed bracket stays in its statement.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { chunkStarts, chunkStartsAfter, definitionCuts } from '../../server/src/engine/chunks';
import { PythonDocument } from '../../server/src/engine/document';
import { ModuleTree, parseSyntax } from '../../server/src/engine/moduleTree';
import { sameCopy } from '../../server/src/engine/syntax';
import { copyPath, initParser, parsePython, toSyntax } from '../../server/src/engine/parser';
import { analyze, dumpTree, prng, ROOT } from './helpers';

before(async () => {
  await initParser();
});

/** The chunks of `text` as strings. */
function chunks(text: string): string[] {
  const starts = chunkStarts(text);
  return starts.map((s, k) => text.slice(s, starts[k + 1] ?? text.length));
}

describe('chunkStarts', () => {
  const cases: [string, string[]][] = [
    ['one statement per line', ['import torch\n', 'x = 1\n', 'def f():\n    return x\n']],
    ['leading comments and blank lines are the first chunk', ['# header\n\n', '"""doc"""\n', 'x = 1\n']],
    ['comments and blank lines after a statement belong to it', ['x = 1\n# note\n\n', 'y = 2\n']],
    ['a comment at column 0 inside a body does not end it', ['def f():\n    a = 1\n# aside\n    return a\n', 'z = 0\n']],
    ['decorators stay with their definition', ['@torch.no_grad()\n@wraps(\n    g,\n)\ndef f():\n    pass\n', 'class A:\n    pass\n']],
    ['else, elif, except and finally continue their statement', ['if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\n', 'try:\n    x()\nexcept E:\n    pass\nfinally:\n    y()\n', 'for i in r:\n    pass\nelse:\n    pass\n']],
    ['brackets across lines, closed at column 0', ['x = [\n1,\n2\n]\n', 'y = dict(a=1,\nb=2)\n']],
    ['a triple-quoted string with code-like lines', ['s = """\ndef g():\nclass B:\n"""\n', "t = '''\nimport os\n'''\n", 'z = 1\n']],
    ['quotes and brackets inside strings and comments do not count', ['a = "(" + \'[\' + "\\"{"  # ) ] }\n', 'b = 2\n']],
    ['a backslash continuation', ['x = 1 + \\\n2\n', 'y = 2\n']],
    ['a string continued by a backslash', ['s = "abc\\\ndef"\n', 'y = 2\n']],
    ['CRLF and lone CR line breaks', ['x = (1,\r\n2)\r\n', 'y = 2\r\n', 'z = 3\r', 'w = 4\r']],
    ['a name starting with a continuation keyword starts a statement', ['if a:\n    pass\n', 'elsewhere = 1\n', 'finally_ = 2\n']],
    ['matrix multiplication and comprehensions at column 0 inside brackets', ['x = (a\n@ b)\n', 'y = [v\nfor v in w\nif v]\n']],
    ['an unclosed bracket ends at the next def, class or import at column 0', ['x = f(\n', 'def g():\n    y = [1,\n', 'class C:\n    pass\n', 'import os\n']],
    ['an unclosed bracket in a method ends at the next indented def: the class ends where it did', ['class A:\n    def f(self):\n        y = g(\n\n    def h(self):\n        pass\n\n\n', 'x = 1\n']],
    ['an unclosed triple-quoted string runs to the end', ['x = 0\n', 's = """\ndef g():\n    pass\nx = 1\n']],
    ['an empty text is one empty chunk', ['']],
  ];
  for (const [name, want] of cases) {
    test(name, () => {
      assert.deepEqual(chunks(want.join('')), want);
    });
  }
});

describe('chunkStartsAfter re-scans only around a change and agrees with a full scan', () => {
  const pieces = ['(', ')', '"""', "'", '"', '#', '\\\n', '\n', '\r\n', '@d\n', 'else:', 'def f():\n', 'class K:\n', 'import os\n', '    ', 'x', ' = 1\n'];
  const source = readFileSync(join(ROOT, 'examples/weather_port/train.py'), 'utf8');
  for (const seed of [3, 14, 15]) {
    test(`2,000 random edits (seed ${seed})`, () => {
      const rand = prng(seed);
      let text = source;
      let starts = chunkStarts(text);
      for (let i = 0; i < 2000; i++) {
        const at = Math.floor(rand() * (text.length + 1));
        const end = rand() < 0.3 ? Math.min(text.length, at + Math.floor(rand() * 40)) : at;
        const insert = rand() < 0.8 ? pieces[Math.floor(rand() * pieces.length)] : '';
        const next = text.slice(0, at) + insert + text.slice(end);
        const change = { start: at, end: at + insert.length, delta: next.length - text.length };
        const got = chunkStartsAfter(next, starts, change);
        assert.deepEqual(got, chunkStarts(next), `edit ${i}: ${JSON.stringify(insert)} at ${at}-${end}`);
        // every tenth edit goes back to the original text, so it stays mostly valid Python
        if (i % 10 === 9) {
          text = source;
          starts = chunkStarts(text);
        } else {
          text = next;
          starts = got;
        }
      }
    });
  }
});

/** Every .py file under a directory. */
function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : pythonFiles(p);
    return p.endsWith('.py') ? [p] : [];
  });
}

/** Valid Python with every construct a chunk boundary could cut wrongly. */
const TRICKY = [
  'import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    """Doc.\n\ndef not_code():\n"""\n\n    def forward(self, x):\n        return torch.relu(x)\n# a comment at column 0\n\n    def other(self):\n        pass\n\n\n@torch.no_grad()\ndef infer(m, x):\n    return m(x)\n',
  'x = [\n1,\n2]\ny = (a\n@ b)\nz = [v\nfor v in w]\nif x:\n    pass\nelif y:\n    pass\nelse:\n    pass\ntry:\n    pass\nexcept Exception:\n    pass\nfinally:\n    pass\n',
  's = f"{x!r:>{width}}" + rb"\\d+" + """a\n"b" \'\'\' \n"""\nt = \'\\\'\'\nu = 1 + \\\n    2\n',
  'async def f():\n    async with a as b:\n        await b\n\n\nasync def g():\n    pass\nmatch x:\n    case 1:\n        pass\n',
  'x = 1\r\ny = (2,\r\n3)\r\ndef f():\r\n    return 4\r\n',
  '# only a comment\n',
  '\n\n\n',
  '',
  'def f():\n\tif x:\n\t\treturn 1\n\treturn 2\nglobal_ = 3; other = 4\n',
];

describe('chunked parsing gives the whole-file tree for valid code', () => {
  const files = [...pythonFiles(join(ROOT, 'examples')), ...pythonFiles(join(ROOT, 'test', 'fixtures'))];
  const samples: [string, string][] = [...files.map((f) => [f.slice(ROOT.length + 1), readFileSync(f, 'utf8')] as [string, string]), ...TRICKY.map((t, i) => [`tricky snippet ${i}`, t] as [string, string])];
  test('the fast copy is in use (the comparison covers it)', () => {
    assert.equal(copyPath(), 'memory');
  });
  for (const [name, text] of samples) {
    test(name, () => {
      const whole = parsePython(text);
      const chunked = ModuleTree.parse(text);
      try {
        if (name.startsWith('examples') || name.startsWith('tricky')) assert.equal(whole.rootNode.hasError, false, `${name} should be valid Python`);
        assert.equal(dumpTree(chunked.copy()), dumpTree(toSyntax(whole, text)));
        assert.equal(chunked.statements.length, whole.rootNode.childCount);
      } finally {
        whole.delete();
        chunked.delete();
      }
    });
  }
});

describe('definitionCuts: where a class is cut into pieces', () => {
  /** The pieces of a definition's text (one chunk): the header with its first member, one per further member, the tails. */
  function pieces(text: string): string[] {
    const cuts = definitionCuts(text, 0, text.length);
    const bounds = cuts ? [0, ...cuts.members, ...cuts.tails, text.length] : [0, text.length];
    return bounds.slice(0, -1).map((s, k) => text.slice(s, bounds[k + 1]));
  }
  const cases: [string, string[]][] = [
    ['one piece per member after the first', ['class A(B):\n    def f(self):\n        pass\n\n', '    def g(self):\n        pass\n', '    async def h(self):\n        pass\n']],
    ['the header runs to the second member: docstring, attributes, header brackets', ['@dataclass\nclass A(\n    B,\n):\n    """Doc.\n    def not_a_member():\n    """\n    x = 1\n    def f(self):\n        pass\n    y = 2\n', '    @property\n    @cached\n    def g(self):\n        return (1,\n    2)\n', '    class Inner:\n        def i(self):\n            pass\n']],
    ['comments between members stay with the member before them', ['class A:\n    def f(self):\n        pass\n    # about g\n\n', '    def g(self):\n        pass\n']],
    ['a bracket left open ends at the next member', ['class A:\n    def f(self):\n        y = g(\n', '    def g(self):\n        pass\n']],
    ['nested definitions are not members', ['class A:\n    def f(self):\n        def inner():\n            pass\n        return inner\n']],
    ['tabs', ['class A:\n\tdef f(self):\n\t\tpass\n', '\tdef g(self):\n\t\tpass\n']],
    ['commented-out code between members stays with the member before it', ['class A:\n    def f(self):\n        pass\n# def old(self):\n#     pass\n', '    def g(self):\n        pass\n']],
    ['commented-out code inside a method (column 0, or indented less than the body)', ['class A:\n    def f(self):\n        x = 1\n#        x = 2\n  # x = 3\n        return x\n', '    def g(self):\n        pass\n']],
    ['a line of code indented less than the body (inside brackets): not cut', ['class A:\n    def f(self):\n        return g(1,\n2)\n    def g(self):\n        pass\n']],
    ['a form feed in the indentation of a body line: not cut', ['class A:\n    def f(self):\n        pass\n    def g(self):\n        pass\n    \f# aside\n']],
    ['a comment indented unlike the body (a tab against spaces): not cut', ['class A:\n    def f(self):\n        pass\n\t# aside\n    def g(self):\n        pass\n']],
    ['column-0 comments after the last member are the tail', ['class A:\n    def f(self):\n        pass\n', '    def g(self):\n        pass\n\n', '# next section\n\n# more\n\n']],
    ['the tail starts at the first comment indented less than the body; any comment after it is in it', ['class A:\n    def f(self):\n        pass\n', '    def g(self):\n        pass\n        # still in g\n    # still in A\n', '  # after A\n        # after A too\n# and this\n']],
    ['a column-0 comment followed by more of the body is in the class', ['class A:\n    def f(self):\n        pass\n', '    def g(self):\n        pass\n# aside\n    x = 1\n']],
    ['a function: one piece per statement of its body after the first', ['def f():\n    \"\"\"Doc.\"\"\"\n', '    x = g(1,\n          2)\n', '    if x:\n        y = 1\n    elif x is None:\n        y = 2\n    else:\n        y = 3\n', '    try:\n        pass\n    except E:\n        pass\n    finally:\n        pass\n', '    @dec\n    def a():\n        pass\n', '    return y  # done\n\n']],
    ['a decorated function', ['@dec\ndef f(\n    a,\n):\n    def a():\n        pass\n', '    def b():\n        pass\n']],
    ['a line of a function body inside brackets, at the body indentation, is no cut when the brackets balance', ['def f():\n    x = g(\n    a)\n', '    return x\n']],
    ['a bracket left open in a function ends at the next statement line of the body', ['def f():\n    x = 1\n', '    y = g(\n        1,\n', '    z = 2\n', '    return z\n']],
    ['after a bracket left open in a function, the module statements in its chunk are tails, one per statement', ['def f():\n    x = 1\n', '    y = g(\n\n', 'if __name__ == "__main__":\n    f()\n', 'x = 2\n', 'else_ = 3\n']],
  ];
  for (const [name, want] of cases) {
    test(name, () => {
      assert.deepEqual(pieces(want.join('')), want);
    });
  }
});

describe('classes parsed in pieces give the whole-file tree for valid code', () => {
  const files = [...pythonFiles(join(ROOT, 'examples')), ...pythonFiles(join(ROOT, 'test', 'fixtures'))];
  const samples: [string, string][] = [...files.map((f) => [f.slice(ROOT.length + 1), readFileSync(f, 'utf8')] as [string, string]), ...TRICKY.map((t, i) => [`tricky snippet ${i}`, t] as [string, string])];
  samples.push(['members of every kind', 'class A(\n    B,\n):\n    """Doc."""\n    x = 1\n\n    def f(self):\n        pass\n    # about g\n\n    @property\n    def g(self):\n        return (1,\n    2)\n    y = [3,\n4]\n    class Inner:\n        def i(self):\n            pass\n\n    async def h(self):\n        """\n    def not_a_member():\n"""\n        return 1  # trailing\n\n        # indented comment after the last member\n\n# a column-0 comment after the class\n\n# and another\nz = A()\n']);
  samples.push(['a form feed before a comment after the class', 'class A:\n    def f(self):\n        pass\n    def g(self):\n        pass\n    \f# aside\nx = 1\n']);
  samples.push(['commented-out code in a class', 'class A:\n    def f(self):\n        x = 1\n#        x = 2\n  # x = 3\n        if x:\n            y = 1\n# y = 2\n        return x\n# def old(self):\n#     return 0\n\n  # between\n    def g(self):\n        for i in x:\n            pass\n#   end of the loop\n    # body comment\n#\n    @property\n    def h(self):\n        return 1\n        # in h\n    # in A\n  # after A\n    # after A, indented\n# and this\nw = A()\nclass B:\n    def f(self):\n        pass\n# c\n    def g(self):\n        pass\n# end\n']);
  let split = 0;
  for (const [name, text] of samples) {
    test(name, () => {
      const whole = parsePython(text);
      const pieced = ModuleTree.parse(text, 0); // every class in pieces
      try {
        assert.equal(dumpTree(pieced.copy()), dumpTree(toSyntax(whole, text)));
        assert.deepEqual(pieced.statements.map((s) => [s.start, s.end, s.type]), whole.rootNode.children.map((n) => [n.startIndex, n.endIndex, n.type]));
        pieced.statements.forEach((s, i) => {
          const members = pieced.classMembers(i);
          const node = whole.rootNode.child(i)!;
          const body = (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node)?.childForFieldName('body');
          if (members && body && node.type.endsWith('definition')) assert.deepEqual(members.map((m) => [m.start, m.end, m.type, m.name]), body.namedChildren.map((m) => [m!.startIndex, m!.endIndex, m!.type, members.find((x) => x.start === m!.startIndex)?.name]));
        });
        split += chunkStarts(text).filter((s, k, all) => definitionCuts(text, s, all[k + 1] ?? text.length) !== undefined).length;
      } finally {
        whole.delete();
        pieced.delete();
      }
    });
  }
  test('the comparison covered classes in pieces', () => {
    assert.ok(split >= 10, `only ${split} classes were cut`);
  });
});

describe('an unclosed bracket stays in its own statement', () => {
  const src = 'import torch\n\n\ndef a(x):\n    y = torch.relu(\n\n\ndef b(x):\n    return torch.erfinv(x)\n\n\nclass C:\n    def f(self, x):\n        return torch.fft.fft(x)\n';
  test('definitions after it are still analysed', () => {
    const codes = analyze(src).findings.map((f) => `${f.code} ${src.slice(f.start, f.end)}`);
    assert.ok(codes.some((c) => c.endsWith('torch.erfinv')), codes.join('\n'));
    assert.ok(codes.some((c) => c.startsWith('MSP201') && c.includes('fft')), codes.join('\n'));
  });
  test('the syntax error is in the statement with the bracket', () => {
    const tree = ModuleTree.parse(src);
    try {
      const withErrors = tree.statements.filter((s) => s.hasError).map((s) => src.slice(s.start, s.end).split('\n')[0]);
      assert.deepEqual(withErrors, ['def a(x):']);
      assert.deepEqual(tree.statements.map((s) => s.type), ['import_statement', 'function_definition', 'function_definition', 'class_definition']);
    } finally {
      tree.delete();
    }
  });
});

describe('parseSyntax (the CLI\'s and scan\'s parse) parses valid code whole and broken code by chunks', () => {
  const chunked = (text: string) => {
    const m = ModuleTree.parse(text);
    try {
      return m.copy();
    } finally {
      m.delete();
    }
  };
  test('valid files: the tree the chunks give', () => {
    for (const f of pythonFiles(join(ROOT, 'examples'))) {
      const text = readFileSync(f, 'utf8');
      assert.ok(sameCopy(parseSyntax(text), chunked(text)), f);
    }
  });
  test('an unclosed bracket: the chunks\' tree, not the whole-file parse', () => {
    const src = 'import torch\n\n\ndef a(x):\n    y = torch.relu(\n\n\ndef b(x):\n    return torch.erfinv(x)\n';
    const whole = parsePython(src);
    try {
      assert.ok(whole.rootNode.hasError);
      assert.ok(!sameCopy(toSyntax(whole, src), chunked(src)), 'the two parses differ here');
    } finally {
      whole.delete();
    }
    assert.ok(sameCopy(parseSyntax(src), chunked(src)));
  });
});

describe('the statements and members a module tree lists are those of its copy, broken code included', () => {
  // the incremental analysis keeps or drops statements by their position in these lists and the copy takes them
  // by position among its root's children (or a body's): a tail or piece that parses as nothing but an ERROR
  // root once gave the list its tokens while the copy had the one ERROR node
  const files = [...pythonFiles(join(ROOT, 'examples')), ...pythonFiles(join(ROOT, 'test', 'fixtures', 'incremental'))];
  const INSERTS = ['(', ')', '[', '"', "'''", ':', '\n', '    ', 'x', '\ndef f(:\n', '\nclass', ' = ', '#'];
  const spans = (xs: readonly { start: number; end: number; type: string }[]) => xs.map((x) => `${x.type}@${x.start}-${x.end}`);
  for (const file of files) {
    test(file.slice(ROOT.length + 1), () => {
      const rand = prng(file.length);
      const doc = new PythonDocument(readFileSync(file, 'utf8'), { classPiecesMinChars: 0 });
      try {
        for (let i = 0; i < 60; i++) {
          const text = doc.text;
          const at = Math.floor(rand() * (text.length + 1));
          if (rand() < 0.7) doc.edit({ start: at, end: at, newText: INSERTS[Math.floor(rand() * INSERTS.length)] });
          else doc.edit({ start: at, end: Math.min(text.length, at + 1 + Math.floor(rand() * 20)), newText: '' });
          const tree = doc.tree;
          const copy = tree.copy();
          const children = copy.rootNode.children;
          const what = `edit ${i}`;
          assert.deepEqual(spans(tree.statements), spans(children.map((c) => ({ start: c.startIndex, end: c.endIndex, type: c.type }))), what);
          tree.statements.forEach((_, k) => {
            const listed = tree.classMembers(k) ?? tree.functionBody(k);
            if (!listed) return;
            let node = children[k];
            if (node.type === 'decorated_definition') node = node.childForFieldName('definition') ?? node;
            const body = node.childForFieldName('body');
            assert.deepEqual(spans(listed), spans((body?.namedChildren ?? []).map((m) => ({ start: m.startIndex, end: m.endIndex, type: m.type }))), `${what}, statement ${k}`);
          });
        }
      } finally {
        doc.dispose();
      }
    });
  }
});
