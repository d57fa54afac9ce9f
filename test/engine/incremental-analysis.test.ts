// Incremental analysis: after each edit, IncrementalAnalyzer (which re-checks only the statements an edit can
// affect) must give exactly what a whole-file analysis of the new text gives: findings with their fixes,
// statistics, syntax errors, suppressed findings, API uses. Seeded random edits over a model file whose
// statements depend on one another (classes used by name, a dataset read by a loader, mixed precision
// anywhere in the file, names fixes avoid), plus edits that flip those links.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { before, test } from 'node:test';
import { analyzeText, useSpanOf, type DocumentAnalysis } from '../../server/src/engine/analyze';
import { chunkStarts, definitionCuts } from '../../server/src/engine/chunks';
import { PythonDocument, type DocumentEdit } from '../../server/src/engine/document';
import { IncrementalAnalyzer } from '../../server/src/engine/incremental';
import { initParser } from '../../server/src/engine/parser';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { LineIndex } from '../../server/src/engine/text';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { prng, realDb, ROOT } from './helpers';

let db: MappingDatabase;
before(async () => {
  await initParser();
  db = realDb();
});

const MODEL = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
const TRAIN = readFileSync(join(ROOT, 'examples/weather_port/train.py'), 'utf8');
const SCRIPT = readFileSync(join(ROOT, 'test/fixtures/incremental/script.py'), 'utf8');

function editAt(start: number, end: number, newText: string): DocumentEdit {
  return { start, end, newText };
}

/** What a user sees of an analysis. */
function visible(a: DocumentAnalysis, uses = a.useSpans ?? a.resolution?.uses.map(useSpanOf) ?? []) {
  return JSON.stringify({ findings: a.findings, stats: a.stats, syntaxErrors: a.syntaxErrors, suppressed: a.suppressed, errors: a.internalErrors, uses });
}

function check(inc: IncrementalAnalyzer, doc: PythonDocument, what: string): void {
  const got = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
  // the same tree as the incremental analyser's (tree-sitter may recover from errors differently in a fresh parse)
  const want = analyzeText(doc.text, DEFAULT_SETTINGS, db, doc.tree);
  if (visible(got) !== visible(want)) {
    // narrow the difference down for the message
    const g = JSON.parse(visible(got));
    const w = JSON.parse(visible(want));
    for (const k of Object.keys(w)) assert.deepEqual(g[k], w[k], `${what}: ${k} differs from a whole-file analysis`);
  }
}

/** Snippets that change how statements relate: new bindings, classes, imports, mixed precision, noqa, recompute. */
const SNIPPETS = [
  '\n        y = torch.relu(x)',
  '\n        self.extra = nn.Dropout(0.1)',
  '\nimport torch.fft as fft\n',
  '\nclass Extra(nn.Module):\n    def forward(self, x):\n        return torch.fft.rfft(x)\n',
  '\nops = 1\n',
  '\nmint = None\n',
  '\n    ms = 2',
  '\n        with torch.cuda.amp.autocast():\n            pass',
  '\n    scaler = torch.cuda.amp.GradScaler()',
  '\n        blk.recompute()',
  '\n    model = auto_mixed_precision(model, "O2")',
  '\n# mindport: noqa\n',
  '  # noqa',
  '\nBlock = None\n',
  '\nclass Block(nn.Module):\n    pass\n',
  '\ndef Net():\n    return nn.Linear(2, 2)\n',
  '\n    global F\n    F = None',
  'Attention',
  '\n        x = x.double()',
  '\nx_3 = None\n',
  '\nmask_3 = x_2 > 0.5\n',
  '\ndt = torch.float32\n',
  '\n        y = x.to(dt)',
  '\ndt = torch.float64\n',
  '\nhead = Head\n',
  '\nrelu = torch.sigmoid\n',
  '\nscores = q + k\n',
  '\ndevice = None\n',
  '\ngrid = x_0\n',
  '\ndef Head(d):\n    return nn.Linear(d, d)\n',
  '\n    x_4 = x_3.view(-1)',
  '\n# TODO(mindport) MSP201: keep\n',
  '"""',
  '(',
  ')',
  ':',
  '\n',
  '    ',
  '\r\n',
];
const CHARS = ['(', ')', '[', ']', ':', ',', ' ', '\n', 'a', 'x', '1', '.', '"', '#', '=', 'é'];

// for a long function: statements typed into its body that change what later ones see (a rebinding, an assignment
// a rule reads, FFT producers of a complex einsum, mixed precision), and some that cannot stay in the body path
const FUNCTION_SNIPPETS = [
  '\n    y = torch.relu(x_1)',
  '\n    x_2 = None',
  '\n    x_3 = x_1.double()',
  '\n    dt = torch.float64',
  '\n    z = x_1.to(dt)',
  '\n    spec = torch.fft.rfft(x_1)',
  '\n    e = torch.einsum("ij,ij->i", spec, x_1)',
  '\n    w_1 = nn.Linear(4, 4)',
  '\n    with torch.cuda.amp.autocast():\n        x_1 = w_1(x_1)',
  '\n    torch.backends.cudnn.benchmark = True',
  '\n    F = None',
  '\n    import torch.fft as F',
  '\n    class Local(nn.Module):\n        pass',
  '\n    losses.append(loss)',
  '  # noqa',
  '\n        x_1 = x_1 * 2',
  '(',
  ')',
  ':',
  '\n',
  '    ',
];

function randomEdit(text: string, rand: () => number, snippets = SNIPPETS): DocumentEdit {
  const at = Math.floor(rand() * (text.length + 1));
  const r = rand();
  if (r < 0.35) return editAt(at, at, CHARS[Math.floor(rand() * CHARS.length)]);
  if (r < 0.55) return editAt(at, Math.min(text.length, at + 1 + Math.floor(rand() * 12)), '');
  // snippets go at the end of a line, as typed code does
  let eol = text.indexOf('\n', at);
  if (eol < 0) eol = text.length;
  return editAt(eol, eol, snippets[Math.floor(rand() * snippets.length)]);
}

const EVERY_CLASS = { memberMinChars: 0 }; // every class re-checked method by method, as large ones are
// a class of 40 methods calling each other (a re-check of one leaves the others out: calls to them must stay calls
// of the class's own methods), with noqa comments, and a module-level statement using the class
const BIG_CLASS = `import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Big(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.fc = nn.Linear(d, d)\n\n    def forward(self, x):\n        return self.step_0(x)\n\n${Array.from(
  { length: 40 },
  (_, i) => `    def step_${i}(self, x):\n        y = torch.relu(x) + self.fc(x)  # noqa: MSP101\n        z = torch.zeros_like(y).cuda()\n        return F.gelu(z) * self.step_${(i + 1) % 40}(y)\n`,
).join('\n')}\n\nmodel = Big(4)\n`;
// the same class with commented-out code: column-0 and less indented comments inside and between its methods
const BIG_CLASS_COMMENTED = BIG_CLASS.replace(/\n {4}def step_(\d+)\(self, x\):\n/g, (line, i: string) =>
  Number(i) % 3 === 0 ? `\n# def old_step_${i}(self, x):\n#     return x\n${line.slice(1)}#        x = x * 2\n  # x = x + 1\n` : line,
);
// the flat script as one long function (its imports at module level), and a statement after it calling it
const SCRIPT_IMPORTS = SCRIPT.slice(0, SCRIPT.indexOf('\ndevice = ') + 1);
const LONG_FUNCTION = `${SCRIPT_IMPORTS}\nlosses = []\n\n\ndef main():\n${SCRIPT.slice(SCRIPT_IMPORTS.length)
  .split('\n')
  .map((l) => (l ? `    ${l}` : l))
  .join('\n')}\n\nif __name__ == "__main__":\n    main()\n`;
// (PIECES: every class parsed method by method too, as large ones are)
const PIECES = { classPiecesMinChars: 0 }; // (functions too)
for (const [name, source, options, docOptions] of [
  ['model file', MODEL, {}, {}],
  ['training script', TRAIN, {}, {}],
  ['flat script', SCRIPT, {}, {}],
  ['model file, classes method by method', MODEL, EVERY_CLASS, PIECES],
  ['training script, classes method by method', TRAIN, EVERY_CLASS, PIECES],
  ['a large class', BIG_CLASS, EVERY_CLASS, {}],
  ['a large class, parsed method by method', BIG_CLASS, EVERY_CLASS, PIECES],
  ['a large class with commented-out code, parsed method by method', BIG_CLASS_COMMENTED, EVERY_CLASS, PIECES],
  ['a long function', LONG_FUNCTION, EVERY_CLASS, {}],
  ['a long function, parsed statement by statement', LONG_FUNCTION, EVERY_CLASS, PIECES],
] as const) {
  if (source === BIG_CLASS_COMMENTED) {
    test(`${name}: the class is valid Python, cut into one piece per method`, () => {
      const starts = chunkStarts(source);
      const k = starts.findIndex((s) => source.startsWith('class Big', s));
      assert.equal(definitionCuts(source, starts[k], starts[k + 1])?.members.length, 41);
      assert.match(source, /\n# def old_step_3\(self, x\):\n/);
      const doc = new PythonDocument(source);
      try {
        assert.equal(doc.tree.errorCount, 0);
      } finally {
        doc.dispose();
      }
    });
  }
  let memberChecks = 0;
  let bodyChecks = 0;
  // seeds that once found a difference are kept (10: noqa after a statement, 11/21: error recovery re-shaping an
  // unchanged statement, 15/27/1234: a change in a statement's indentation, 9/22: a new statement after the
  // change at the very offsets of an old one, taken as unchanged when only the edited span was compared,
  // 123/158: a class found by name whose statement rebinds the name, and a complex einsum over a module-level
  // FFT, once statements stopped being resolved with every binder, 129: a `# noqa` in the third statement on the
  // line of a re-checked one, 311: spaces typed after the import line fixes insert below, 342: an import broken
  // above `except ImportError: F = None`, whose binding of F depends on it)
  for (const seed of [7, 10, 11, 15, 21, 27, 1234, 5, 9, 22, 123, 158, 129, 311, 342]) {
    test(`${name}: 150 random edits (seed ${seed}), analysed incrementally as a whole-file analysis would`, () => {
      const rand = prng(seed);
      const doc = new PythonDocument(source, docOptions);
      const inc = new IncrementalAnalyzer(options);
      try {
        check(inc, doc, 'first analysis');
        for (let i = 0; i < 150; i++) {
          const e = randomEdit(doc.text, rand, source === LONG_FUNCTION ? FUNCTION_SNIPPETS : SNIPPETS);
          const removed = doc.text.slice(e.start, e.end);
          doc.edit(e);
          check(inc, doc, `edit ${i} (${JSON.stringify(e.newText)} at ${e.start}-${e.end})`);
          // most edits are undone, as typing and deleting do, so the file stays mostly valid Python
          if (rand() < 0.6) {
            doc.edit(editAt(e.start, e.start + e.newText.length, removed));
            check(inc, doc, `undoing edit ${i}`);
          }
        }
        if (source === BIG_CLASS) assert.ok(inc.stats.members > 0, 'no edit re-checked one method alone');
        memberChecks += inc.stats.members;
        bodyChecks += inc.stats.bodies;
      } finally {
        doc.dispose();
      }
    });
  }
  if (source === BIG_CLASS_COMMENTED) {
    test(`${name}: edits re-checked one method alone`, () => {
      assert.ok(memberChecks > 0, 'no edit re-checked one method alone');
    });
  }
  if (options === EVERY_CLASS && (source === LONG_FUNCTION || source === TRAIN)) {
    test(`${name}: edits re-checked some statements of a function's body alone`, () => {
      assert.ok(bodyChecks > 0, "no edit re-checked part of a function's body");
    });
  }
}

test('several edits between analyses (the document reports the span they changed together)', () => {
  for (const [source, seed] of [[MODEL, 3], [TRAIN, 4], [MODEL, 9]] as const) {
    const rand = prng(seed);
    const doc = new PythonDocument(source);
    const inc = new IncrementalAnalyzer();
    try {
      check(inc, doc, 'first analysis');
      for (let i = 0; i < 60; i++) {
        const before = doc.text;
        const since = doc.textVersion;
        const n = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < n; k++) doc.edit(randomEdit(doc.text, rand));
        const c = doc.textChangeSince(since);
        assert.ok(c, 'the document knows what changed');
        assert.equal(c.delta, doc.text.length - before.length);
        assert.equal(doc.text.slice(0, c.start), before.slice(0, c.start), 'same text before the span');
        assert.equal(doc.text.slice(c.end), before.slice(c.end - c.delta), 'same text after the span');
        check(inc, doc, `${n} edits (round ${i}, seed ${seed})`);
      }
      assert.equal(doc.textChangeSince(doc.textVersion), null);
      doc.replace(doc.text + '\n');
      assert.equal(doc.textChangeSince(0), undefined, 'unknown across a replacement');
    } finally {
      doc.dispose();
    }
  }
});

test("a loader's rewrite follows edits to the statements it reads: its sampler's, and its dataset class's __getitem__", () => {
  const src = [
    'from torch.utils.data import DataLoader, Dataset',
    'from torch.utils.data.distributed import DistributedSampler',
    '',
    '',
    'class Pairs(Dataset):',
    '    def __getitem__(self, i):',
    '        return self.x[i], self.y[i]',
    '',
    '',
    'train_set = Pairs()',
    'train_sampler = DistributedSampler(train_set, shuffle=False)',
    'loader = DataLoader(train_set, batch_size=4, sampler=train_sampler)',
    '',
  ].join('\n');
  const doc = new PythonDocument(src);
  const inc = new IncrementalAnalyzer();
  const swap = (from: string, to: string) => {
    const at = doc.text.indexOf(from);
    assert.ok(at >= 0, from);
    doc.edit(editAt(at, at + from.length, to));
  };
  try {
    check(inc, doc, 'first analysis');
    for (const [from, to] of [
      ['shuffle=False', 'shuffle=True'], // the sampler's order
      ['DistributedSampler(train_set', 'RandomSampler(train_set'], // another sampler: advice only
      ['RandomSampler(train_set', 'DistributedSampler(train_set'],
      ['self.y[i]', 'self.y[i], self.z[i]'], // a third column
      ['return self.x[i], self.y[i], self.z[i]', 'return {"x": self.x[i]}'], // a dict: advice only
      ['return {"x": self.x[i]}', 'return self.x[i], self.label[i]'],
      ['train_sampler = ', 'sampler = '], // the name the loader reads is gone
      ['sampler = Distributed', 'train_sampler = Distributed'],
    ] as const) {
      swap(from, to);
      check(inc, doc, `${from} → ${to}`);
    }
    const loader = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db).findings.find((f) => f.code === 'MSP405' && /DataLoader/.test(f.message));
    assert.match(loader?.fixes[0]?.edits[0].newText ?? '', /column_names=\["x", "label"\], num_shards=.*shuffle=True\)/);
  } finally {
    doc.dispose();
  }
});

test('typing a statement into a method re-checks only what it can change, with the same result', () => {
  const doc = new PythonDocument(MODEL);
  const inc = new IncrementalAnalyzer();
  try {
    check(inc, doc, 'first analysis');
    let at = doc.text.indexOf('        x = x + self.mlp(self.norm2(x))') + '        x = x + self.mlp(self.norm2(x))'.length;
    // as an editor types: an opening bracket brings its closing one, typing that one steps over it
    for (const ch of '\n        y = torch.relu(x) + F.gelu(x).mean(dim=-1) * self.scale + x.view(1, -1).double()') {
      if (ch === ')' && doc.text[at] === ')') at++;
      else {
        doc.edit(editAt(at, at, ch === '(' ? '()' : ch));
        at++;
      }
      check(inc, doc, `after typing ${JSON.stringify(ch)}`);
    }
    assert.ok(inc.stats.full <= 2, `${inc.stats.full} whole-file analyses while typing in a method (last reason: ${inc.stats.lastFullReason})`);
    const final = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    assert.ok(final.findings.some((f) => f.code === 'MSP202' && doc.text.slice(f.start, f.end).includes('double')), 'the typed .double() is reported');
  } finally {
    doc.dispose();
  }
});

test('typing in one method of a large class re-checks that method alone, with the same result', () => {
  const doc = new PythonDocument(BIG_CLASS);
  const inc = new IncrementalAnalyzer({ memberMinChars: 2000 });
  const type = (after: string, snippet: string) => {
    let at = doc.text.indexOf(after) + after.length;
    // as an editor types: an opening bracket brings its closing one, typing that one steps over it
    for (const ch of snippet) {
      if (ch === ')' && doc.text[at] === ')') at++;
      else {
        doc.edit(editAt(at, at, ch === '(' ? '()' : ch));
        at++;
      }
      check(inc, doc, `after typing ${JSON.stringify(ch)} after ${JSON.stringify(after)}`);
    }
  };
  try {
    check(inc, doc, 'first analysis');
    const typed = '\n        w = torch.relu(x).double() + F.gelu(y).float()';
    type('return F.gelu(z) * self.step_21(y)', typed);
    const steps = [...typed].filter((ch) => ch !== ')').length;
    assert.ok(inc.stats.members >= steps - 2, `${inc.stats.members} of ${steps} keystrokes re-checked the method alone (last whole-file reason: ${inc.stats.lastFullReason})`);
    const final = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    assert.ok(final.findings.some((f) => f.code === 'MSP202' && doc.text.slice(f.start, f.end).includes('double')), 'the typed .double() is reported');
    // a method binding an attribute (other methods resolve it), __init__ and forward (rules elsewhere read them):
    // the class is re-checked whole
    type('return F.gelu(z) * self.step_31(y)', '\n        self.cache = torch.ones(2')
    let before = inc.stats.members;
    type('self.cache = torch.ones(2', ' ');
    assert.equal(inc.stats.members, before, 'a keystroke in a method binding an attribute re-checked that method alone');
    before = inc.stats.members;
    type('self.fc = nn.Linear(d, d)', '\n        self.drop = nn.Dropout(0.1)');
    type('return self.step_0(x)', ' + x.double()');
    assert.equal(inc.stats.members, before, 'a keystroke in __init__ or forward re-checked that method alone');
  } finally {
    doc.dispose();
  }
});

test('typing a statement into a long function re-checks only what it can change, with the same result', () => {
  const doc = new PythonDocument(LONG_FUNCTION, { classPiecesMinChars: 1000 }); // parsed statement by statement, as long functions are
  const inc = new IncrementalAnalyzer({ memberMinChars: 1000 }); // main() is 1,800 characters
  try {
    check(inc, doc, 'first analysis');
    // a new statement typed character by character after a line in the middle of main(), reading names bound
    // before it; then a rebinding of a name later statements read (they are re-checked with it)
    for (const [after, typed] of [
      ['    x_3 = ', '\n    y_9 = x_3 + x_2 * 2.0'],
      ['    y_9 = ', '\n    x_4 = x_3.double'],
    ]) {
      let at = doc.text.indexOf('\n', doc.text.indexOf(after));
      for (const ch of typed) {
        doc.edit(editAt(at, at, ch));
        at += ch.length;
        check(inc, doc, `typing ${JSON.stringify(ch)} of ${JSON.stringify(typed)}`);
      }
    }
    assert.equal(inc.stats.full, 1, `only the first analysis is whole (last: ${inc.stats.lastFullReason})`);
    assert.ok(inc.stats.bodies >= 40, `${inc.stats.bodies} keystrokes re-checked part of main() alone`);
  } finally {
    doc.dispose();
  }
});

test('a keystroke that parses as an assignment to an attribute of something other than the instance re-checks the method alone', () => {
  // `w = torch.` typed above `z = …` parses, for a keystroke or two, as an assignment to `torch.z`: it sets no
  // attribute other methods resolve (`self.x = …` does: the class is re-checked whole then, as above)
  const doc = new PythonDocument(BIG_CLASS, { classPiecesMinChars: 2000 });
  const inc = new IncrementalAnalyzer({ memberMinChars: 2000 });
  try {
    check(inc, doc, 'first analysis');
    const line = '        z = torch.zeros_like(y).cuda()\n        return F.gelu(z) * self.step_22(y)';
    let at = doc.text.indexOf(line);
    const typed = '        w = torch.relu(x)\n';
    for (const ch of typed) {
      doc.edit(editAt(at, at, ch));
      at++;
      check(inc, doc, `after typing ${JSON.stringify(ch)}`);
    }
    assert.equal(inc.stats.members, typed.length, `${inc.stats.members} of ${typed.length} keystrokes re-checked the method alone (last whole-file reason: ${inc.stats.lastFullReason})`);
  } finally {
    doc.dispose();
  }
});

test('typing brackets one by one in a method of a large class (parsed method by method) re-checks that method alone', () => {
  // without auto-closed brackets every state from `(` to its `)` has one open: parsed whole, tree-sitter re-shapes
  // the class past the method at each bracket typed, and those keystrokes re-analysed the file (10 of 58 here)
  for (const [piecesMin, expectMembers] of [[2000, true], [Infinity, false]] as const) {
    const doc = new PythonDocument(BIG_CLASS, { classPiecesMinChars: piecesMin });
    const inc = new IncrementalAnalyzer({ memberMinChars: 2000 });
    try {
      check(inc, doc, 'first analysis');
      let at = doc.text.indexOf('return F.gelu(z) * self.step_21(y)') + 'return F.gelu(z) * self.step_21(y)'.length;
      const typed = '\n        w = torch.relu(x).double() + F.gelu(y[0]).float()';
      for (const ch of typed) {
        doc.edit(editAt(at, at, ch));
        at++;
        check(inc, doc, `after typing ${JSON.stringify(ch)}`);
      }
      const members = inc.stats.members;
      if (expectMembers) assert.equal(members, typed.length, `${members} of ${typed.length} keystrokes re-checked the method alone (last whole-file reason: ${inc.stats.lastFullReason})`);
      else assert.ok(members <= typed.length - 5, `parsed whole, ${members} of ${typed.length} keystrokes were re-checked by method: the test no longer tells the two apart`);
      const final = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
      assert.ok(final.findings.some((f) => f.code === 'MSP202' && doc.text.slice(f.start, f.end).includes('double')), 'the typed .double() is reported');
      // the other methods' findings are all still there while a bracket is open in this one
      doc.edit(editAt(at, at, '\n        v = torch.relu('));
      const open = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
      const cudas = (a: typeof open) => a.findings.filter((f) => f.code === 'MSP205' && doc.text.slice(f.start, f.end).includes('cuda')).length;
      if (expectMembers) assert.equal(cudas(open), 40, 'a .cuda() finding of another method went missing while a bracket was open');
    } finally {
      doc.dispose();
    }
  }
});

test('a method named elsewhere in its class, broken by an open bracket, is re-checked with the class (non-ASCII names too)', () => {
  // as an ERROR node the method defines nothing for resolution: `self.föö(...)` in bar becomes an unknown use
  for (const name of ['helper', 'föö']) {
    const src = `import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def ${name}(self, x):\n        return x\n\n    def bar(self, x):\n        return self.${name}(x) + torch.abs(x)\n\n    def baz(self, x):\n        return x\n`;
    const doc = new PythonDocument(src, { classPiecesMinChars: 0 });
    const inc = new IncrementalAnalyzer({ memberMinChars: 0 });
    try {
      check(inc, doc, 'first analysis');
      let at = doc.text.indexOf('        return x\n') + '        return x'.length;
      for (const ch of '\n        y = torch.relu(x') {
        doc.edit(editAt(at, at, ch));
        at++;
        check(inc, doc, `${name}: after typing ${JSON.stringify(ch)}`);
      }
    } finally {
      doc.dispose();
    }
  }
});

test('settings changes and a replaced text start from a whole-file analysis', () => {
  const doc = new PythonDocument(MODEL);
  const inc = new IncrementalAnalyzer();
  try {
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const other = { ...DEFAULT_SETTINGS, device: 'GPU' as const };
    doc.edit(editAt(0, 0, '#'));
    const a = inc.analyzeDocument(doc, other, db);
    assert.equal(inc.stats.lastFullReason, 'settings changed');
    assert.equal(visible(a), visible(analyzeText(doc.text, other, db)));
  } finally {
    doc.dispose();
  }
});

test('a flat script with thousands of top-level statements is re-checked statement by statement while typed in', () => {
  // every statement reads names the others bind: statements not re-checked give the names they bind to those
  // that are, as plain values (a tensor, an imported function), instead of being resolved again
  const body = Array.from({ length: 1600 }, (_, i) => `x${i % 7} = torch.relu(x${(i + 3) % 7}) * ${i}`).join('\n');
  const doc = new PythonDocument(`import torch\nimport torch.nn.functional as F\nx3 = torch.zeros(4)\n${body}\nmask = x1 > 0\n`);
  const inc = new IncrementalAnalyzer();
  try {
    check(inc, doc, 'first analysis');
    let at = doc.text.indexOf('x2 = torch.relu(x5) * 800') + 'x2 = torch.relu(x5) * 800'.length;
    // as an editor types: an opening bracket brings its closing one (an unclosed one re-shapes the rest of the file)
    for (const ch of ' + x1.double(') {
      doc.edit(editAt(at, at, ch === '(' ? '()' : ch));
      at++;
      check(inc, doc, `after typing ${JSON.stringify(ch)}`);
    }
    // a name read further down changes what it is bound to (x6 stops being a tensor), then the mask a rule reads
    const x6 = doc.text.indexOf('x6 = torch.relu(x2) * 1595');
    assert.ok(x6 > 0);
    doc.edit(editAt(x6 + 5, x6 + 15, 'len'));
    check(inc, doc, 'x6 no longer a tensor');
    doc.edit(editAt(doc.text.length, doc.text.length, 'y = x2[mask]\n'));
    check(inc, doc, 'indexing with the mask');
    doc.edit(editAt(doc.text.indexOf('mask = x1 > 0'), doc.text.indexOf('mask = x1 > 0') + 'mask = x1 > 0'.length, 'mask = x1'));
    check(inc, doc, 'the mask is no comparison any more');
    assert.equal(inc.stats.full, 1, `whole-file analyses after the first: ${inc.stats.full - 1} (last reason: ${inc.stats.lastFullReason})`);
  } finally {
    doc.dispose();
  }
});

test('no fix edit is shared between findings of two top-level statements (the incremental check relies on it)', () => {
  // IncrementalAnalyzer keeps, per statement, its fix edits and where they end, and moves them with the statement:
  // an edit object shared with another statement's finding would be moved by one and stale in the other
  for (const [name, text] of [
    ['model.py', MODEL],
    ['train.py', TRAIN],
    ['transformer.py', readFileSync(join(ROOT, 'examples/weather_port/models/transformer.py'), 'utf8')],
  ] as const) {
    const doc = new PythonDocument(text);
    const starts = doc.tree.statements.map((s) => s.start);
    const statementOf = (offset: number) => {
      let k = 0;
      while (k + 1 < starts.length && starts[k + 1] <= offset) k++;
      return k;
    };
    const owner = new Map<object, number>();
    let edits = 0;
    for (const f of analyzeText(text, DEFAULT_SETTINGS, db, doc.tree).findings) {
      for (const fix of f.fixes) {
        for (const e of fix.edits) {
          edits++;
          const s = statementOf(f.start);
          assert.equal(owner.get(e) ?? s, s, `${name}: a fix edit of ${f.code} at ${f.start} is shared with another statement's finding`);
          owner.set(e, s);
        }
      }
    }
    assert.ok(edits > 10, `${name} has fixes to check`);
    doc.dispose();
  }
});

test('editing here and there keeps no old versions of the text alive', () => {
  // A substring of a long string is, in V8, a view that keeps the whole string alive: trees, names and findings
  // kept across edits once held the document's text as it was when their statement was last analysed, one
  // version per statement edited. Here 30 statements of a 210 KB file are edited in turn (a version kept per
  // statement would add 6 MB), after as many edits in one statement (which settle what an edited document keeps).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const text = Array.from({ length: 60 }, (_, i) => MODEL.replace(/\bclass (\w+)/g, `class $1_${i}`)).join('\n');
  const doc = new PythonDocument(text);
  const inc = new IncrementalAnalyzer();
  const lines = text.split('\n');
  const bodyLine = (from: number) => {
    let row = from;
    while (row < lines.length && !/^ {8}\S/.test(lines[row])) row++; // inside a function body
    return row;
  };
  // a space at the end of the row-th line of the original text (earlier edits only added spaces at line ends)
  const typeAt = (row: number) => {
    const at = doc.lines.offsetAt({ line: row, character: doc.text.split('\n', row + 1)[row].length });
    doc.edit(editAt(at, at, ' '));
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
  };
  try {
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const first = bodyLine(0);
    for (let k = 0; k < 30; k++) typeAt(first);
    gc();
    const before = process.memoryUsage().heapUsed;
    let edited = 0;
    for (let k = 1; k <= 30; k++) {
      const row = bodyLine(Math.floor((k * lines.length) / 31));
      if (row >= lines.length) break;
      typeAt(row);
      edited++;
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(edited >= 25, `${edited} statements edited`);
    assert.equal(inc.stats.full, 1, `edits analysed incrementally (last whole-file analysis: ${inc.stats.lastFullReason})`);
    assert.ok(grown < 10 * text.length, `the heap grew by ${Math.round(grown / 1024)} KB after ${edited} edits of a ${Math.round(text.length / 1024)} KB text`);
  } finally {
    doc.dispose();
  }
});
