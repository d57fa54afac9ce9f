// "Port this file" on the rule fixtures and on examples/ (when present): every output parses, and no torch
// import or use remains without a TODO above it saying why.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { portCommand } from '../../server/src/cli/port';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { joinCells } from '../../server/src/engine/notebook';
import { portText } from '../../server/src/engine/port';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { lines, ROOT, setup } from './helpers';

let db: MappingDatabase;
before(async () => {
  db = await setup();
});

function pyFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) pyFiles(p, out);
    else if (n.endsWith('.py') && !n.endsWith('_ms.py')) out.push(p);
  }
  return out;
}

const IMPORT = /^\s*(import|from)\s+(torch|torch_scatter|torch_geometric|dgl)\b/;

/** Names the output still binds to torch-family imports. */
function torchNames(text: string): string[] {
  const names = new Set(['torch']);
  for (const l of text.split('\n')) {
    if (!IMPORT.test(l)) continue;
    for (const m of l.matchAll(/\bas\s+(\w+)/g)) names.add(m[1]);
    const from = /^\s*from\s+\S+\s+import\s+(.*)$/.exec(l);
    if (from) for (const part of from[1].replace(/[()]/g, '').split(',')) names.add(part.trim().split(/\s+/).pop()!);
  }
  return [...names].filter(Boolean);
}

/** Lines that still mention torch outside comments and strings, without a TODO comment right above. */
function unexplained(text: string): string[] {
  const ls = text.split('\n');
  const bad: string[] = [];
  const TORCH = new RegExp(`(?<![\\w.])(${torchNames(text).join('|')})\\b(?!\\s*=)|${IMPORT.source}`);
  for (let i = 0; i < ls.length; i++) {
    const code = ls[i].replace(/#.*$/, '').replace(/(["']).*?\1/g, '');
    if (!TORCH.test(code)) continue;
    let j = i - 1;
    let ok = false;
    while (j >= 0 && /^\s*#/.test(ls[j])) {
      if (ls[j].includes('TODO(mindport)')) ok = true;
      j--;
    }
    // a continuation line of a statement whose first line has the TODO
    if (!ok && i > 0 && /[(,[]\s*$/.test(ls[i - 1])) ok = true;
    if (!ok) bad.push(`${i + 1}: ${ls[i]}`);
  }
  return bad;
}

function check(file: string): { converted: number; left: number } {
  const src = readFileSync(file, 'utf8');
  const res = portText(src, DEFAULT_SETTINGS, db);
  assert.equal(countSyntaxErrors(res.text), 0, `${file}: output does not parse\n${res.text}`);
  assert.deepEqual(unexplained(res.text), [], `${file}: torch left without a TODO`);
  // user comments survive
  for (const c of src.match(/#[^\n]*/g) ?? []) assert.ok(res.text.includes(c.trim()), `${file}: lost comment ${c}`);
  return res.summary;
}

test('fixtures port to parsing code with TODOs for what is left', () => {
  const files = pyFiles(join(__dirname, 'fixtures'));
  assert.ok(files.length >= 4);
  for (const f of files) check(f);
});

test('examples/ port (when the examples exist)', (t) => {
  const files = pyFiles(join(ROOT, 'examples'));
  if (!files.length) return t.skip('no examples/ yet');
  let converted = 0;
  let left = 0;
  for (const f of files) {
    const s = check(f);
    converted += s.converted;
    left += s.left;
  }
  assert.ok(converted > 0);
  t.diagnostic(`examples/: converted ${converted}, left ${left} (${Math.round((100 * converted) / Math.max(1, converted + left))}%)`);
});

test('the summary counts per rule, and a file with nothing to do is unchanged', () => {
  const src = lines('import torch', 'import torch.nn as nn  # layers', '', 'class Net(nn.Module):', '    def forward(self, x):', '        return torch.cat([x, x])');
  const r = portText(src, DEFAULT_SETTINGS, db);
  assert.equal(r.summary.perRule.MSP401.converted, 1);
  assert.doesNotMatch(r.text, /import torch/);
  assert.match(r.text, /# layers/);
  assert.match(r.text, /class Net\(ms\.nn\.Cell\):\n    def construct/);
  const plain = lines('import os', 'print(os.getcwd())');
  assert.equal(portText(plain, DEFAULT_SETTINGS, db).text, plain);
  assert.equal(portText(plain, DEFAULT_SETTINGS, db).summary.rate, 1);
});

test('a parameter or local that shadows an import is not a use of it: no TODO, and the import goes', () => {
  const src = lines(
    'import torch.nn as nn',
    'from torch.utils.checkpoint import checkpoint',
    'class Lin(nn.Module):',
    '    def __init__(self, checkpoint=False):',
    '        super().__init__()',
    '        self.checkpoint = checkpoint',
    'def helper():',
    '    checkpoint = load()',
    '    return checkpoint',
  );
  const r = portText(src, DEFAULT_SETTINGS, db);
  assert.doesNotMatch(r.text, /TODO/);
  assert.doesNotMatch(r.text, /torch\.utils\.checkpoint/);
  assert.match(r.text, /        self\.checkpoint = checkpoint\n/);
  // used at module level too: the import stays, with its TODO
  const used = portText(src + 'y = checkpoint(lambda t: f(t), x)\n', DEFAULT_SETTINGS, db);
  assert.match(used.text, /from torch\.utils\.checkpoint import checkpoint/);
});

test('fixes that would break the syntax are left as TODOs, and every other fix is applied', () => {
  // a database whose twin of torch.abs is written with a stray bracket: each of its fixes breaks the file
  const abs = db.get('torch.abs');
  const broken = Object.create(db) as MappingDatabase;
  broken.choose = (entry, target) => {
    const c = db.choose(entry, target);
    return entry === abs && c.twin ? { ...c, twin: { ...c.twin, api: `${c.twin.api}(` } } : c;
  };
  const body = Array.from({ length: 60 }, (_, i) => (i % 20 === 7 ? `    a${i} = torch.abs(x)` : `    r${i} = torch.relu(x)`));
  const src = lines('import torch', '', '', 'def f(x):', ...body, '    return x');
  const res = portText(src, DEFAULT_SETTINGS, broken);
  assert.equal(countSyntaxErrors(res.text), 0);
  assert.doesNotMatch(res.text, /torch\.relu/, 'every relu converted');
  assert.equal(res.text.match(/= torch\.abs\(x\)/g)?.length, 3, 'the three abs calls left as they were');
  assert.equal(res.text.match(/# TODO\(mindport\) MSP101: .*torch\.abs/g)?.length, 3, 'each with a TODO above it');
  assert.equal(res.summary.perRule.MSP101?.converted, 57);
});

test('mindport port -o never writes one file over another of the same name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mindport-port-'));
  try {
    for (const pkg of ['models', 'data']) {
      mkdirSync(join(dir, pkg));
      writeFileSync(join(dir, pkg, '__init__.py'), lines('import torch', `${pkg.toUpperCase()} = torch.zeros(3).cuda()`));
    }
    writeFileSync(join(dir, 'train.py'), lines('import torch', 'x = torch.ones(2).cuda()'));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const code = await portCommand(['models/__init__.py', 'data/__init__.py', 'train.py', '-o', 'out'], { stdout, stderr, cwd: dir, env: {} });
    assert.equal(code, 1);
    assert.match(readFileSync(join(dir, 'out', '__init___ms.py'), 'utf8'), /^MODELS = /m, 'the first one written stays');
    assert.match(err, /data\/__init__\.py: skipped: out\/__init___ms\.py was written for models\/__init__\.py in this run/);
    assert.ok(existsSync(join(dir, 'out', 'train_ms.py')), 'the files after it are still ported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mindport port writes <name>_ms.py and prints the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mindport-port-'));
  try {
    writeFileSync(join(dir, 'model.py'), lines('import torch', 'x = torch.zeros(3).cuda()'));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const code = await portCommand(['model.py', '-o', 'out'], { stdout, stderr, cwd: dir, env: {} });
    assert.equal(code, 0);
    const ported = readFileSync(join(dir, 'out', 'model_ms.py'), 'utf8');
    assert.equal(ported.includes('.cuda()'), false);
    assert.match(out, /model\.py: converted \d+/);
    assert.equal(await portCommand([], { stdout, stderr, cwd: dir, env: {} }), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mindport port of a notebook: its code cells ported together into <name>_ms.ipynb, magics and the rest kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mindport-port-'));
  try {
    const nb = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['Uses `torch.abs` in prose'] },
        { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: ['import torch\n', '%matplotlib inline'] },
        { cell_type: 'code', execution_count: 2, metadata: {}, outputs: [], source: ["%%bash\n", "echo 'unclosed\n", 'nvidia-smi'] },
        {
          cell_type: 'code',
          execution_count: 3,
          metadata: { tags: ['run'] },
          outputs: [{ name: 'stdout', output_type: 'stream', text: ['ok\n'] }],
          source: ['y = torch.abs(x).cuda()\n', '  !ls\n', 'z = torch.fft.rfft(y)'],
        },
      ],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(join(dir, 'explore.ipynb'), JSON.stringify(nb, null, 1) + '\n');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    assert.equal(await portCommand(['explore.ipynb'], { stdout, stderr, cwd: dir, env: {} }), 0);
    assert.match(out, /explore\.ipynb: converted \d+.* → explore_ms\.ipynb/);
    const ported = JSON.parse(readFileSync(join(dir, 'explore_ms.ipynb'), 'utf8')) as typeof nb;
    const src = (i: number) => ([] as string[]).concat(ported.cells[i].source).join('');
    assert.equal(ported.cells.length, 4);
    assert.deepEqual(ported.cells[0], nb.cells[0], 'markdown untouched');
    assert.deepEqual({ ...ported.cells[3], source: [] }, { ...nb.cells[3], source: [] }, 'outputs and metadata kept');
    assert.deepEqual(ported.metadata, nb.metadata);
    assert.match(src(1), /^%matplotlib inline$/m);
    assert.doesNotMatch(src(1), /^import torch$/m, 'the torch import nothing uses any more is gone');
    assert.equal(src(2), "%%bash\necho 'unclosed\nnvidia-smi", 'the shell cell as it was');
    assert.match(src(3), /^y = mint\.abs\(x\)$/m);
    assert.match(src(3), /^ {2}!ls$/m);
    assert.match(src(3), /dft_rfft\(y\)/, 'the FFT port helper used');
    assert.doesNotMatch(JSON.stringify(ported), /mindport-(cell|line)/, 'no marker left behind');
    // the code cells, joined as the analysis joins them, parse
    assert.equal(countSyntaxErrors(joinCells([1, 2, 3].map(src)).text), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
