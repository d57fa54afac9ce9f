// MSP101–MSP105 end to end through analyzeText with the real mapping database: messages, severities, fix
// applicability, target switches, and PaConvert-style argument rewrites (each API called five ways, the
// preferred fix applied, the exact MindSpore code asserted, and the result re-parsed without errors).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fixAll, fixAllCells, countSyntaxErrors } from '../../server/src/engine/fixAll';
import { applyFixes } from '../../server/src/engine/edits';
import { joinCells } from '../../server/src/engine/notebook';
import { analyzeText } from '../../server/src/engine/analyze';
import type { Finding } from '../../server/src/engine/findings';
import { initParser } from '../../server/src/engine/parser';
import type { Settings } from '../../server/src/engine/settings';
import { analyze, applyPreferred, describeRewrites, realDb, settings, type RewriteApi } from './helpers';

before(async () => {
  await initParser();
});

const MSP1 = { select: ['MSP1'] };
const only = (findings: Finding[], code: string) => findings.filter((f) => f.code === code);
const single = (findings: Finding[], code: string, torchApi?: string): Finding => {
  const hits = only(findings, code).filter((f) => !torchApi || f.data?.torchApi === torchApi);
  assert.equal(hits.length, 1, `expected one ${code}${torchApi ? ` for ${torchApi}` : ''}: ${JSON.stringify(findings.map((f) => [f.code, f.message]), null, 1)}`);
  return hits[0];
};

describe('MSP101 same-behaviour twin', () => {
  test('message, severity, safe fix that renames and adds the import once', () => {
    const src = 'import torch\n\ny = torch.abs(x)\nz = torch.abs(y)\n';
    const a = analyze(src, MSP1);
    const fs = only(a.findings, 'MSP101');
    assert.equal(fs.length, 2);
    assert.equal(fs[0].message, '`torch.abs` → `mindspore.mint.abs` (same behaviour)');
    assert.equal(fs[0].severity, 'info');
    assert.deepEqual(fs[0].range, { start: { line: 2, character: 4 }, end: { line: 2, character: 13 } });
    assert.equal(fs[0].fixes[0].applicability, 'safe');
    assert.deepEqual(fs[0].data, { torchApi: 'torch.abs', msApi: 'mindspore.mint.abs', twin: 'mint', confidence: 'high' });
    assert.equal(applyPreferred(src, a.findings), 'import torch\nfrom mindspore import mint\n\ny = mint.abs(x)\nz = mint.abs(y)\n');
    assert.equal(a.stats.apiUses, 2);
    assert.equal(a.stats.same, 2);
    assert.equal(a.stats.ready, 2);
  });

  test('an existing MindSpore import is reused; a clashing name falls back to the full module path', () => {
    const reuse = 'import torch\nfrom mindspore import mint as M\ny = torch.abs(x)\n';
    assert.equal(applyPreferred(reuse, analyze(reuse, MSP1).findings), 'import torch\nfrom mindspore import mint as M\ny = M.abs(x)\n');
    const clash = 'import torch\nmint = "peppermint"\ny = torch.abs(x)\n';
    assert.equal(applyPreferred(clash, analyze(clash, MSP1).findings), 'import torch\nimport mindspore\nmint = "peppermint"\ny = mindspore.mint.abs(x)\n');
    const docstring = '"""Doc."""\nfrom __future__ import annotations\ny = torch_abs = 1\n';
    assert.equal(analyze(docstring, MSP1).findings.length, 0);
  });

  test('torch.Tensor as a type and dtypes as values are renamed (a hint in an annotation); torch.Tensor called is the legacy constructor', () => {
    const src = [
      'import torch',
      'from torch import Tensor',
      'def f(x: torch.Tensor, y: Tensor) -> torch.Tensor:',
      '    a = torch.ones(3, dtype=torch.long)',
      '    m = x.to(torch.bool)',
      '    if isinstance(x, torch.Tensor):',
      '        return torch.Tensor(2, 3)',
      '    return torch.Tensor([1.0, 2.0]) + torch.Tensor(data)',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const got = a.findings
      .filter((f) => /^torch\.(Tensor|long|bool)$/.test(String(f.data?.torchApi)))
      .map((f) => [f.range.start.line + 1, f.code, f.severity, f.fixes[0]?.applicability]);
    assert.deepEqual(got, [
      [3, 'MSP101', 'hint', 'safe'],
      [3, 'MSP101', 'hint', 'safe'],
      [3, 'MSP101', 'hint', 'safe'],
      [4, 'MSP101', 'info', 'safe'],
      [5, 'MSP101', 'info', 'safe'],
      [6, 'MSP101', 'info', 'safe'],
      [7, 'MSP102', 'warning', 'safe'],
      [8, 'MSP102', 'warning', 'safe'],
      [8, 'MSP102', 'warning', 'unsafe'], // one name: data or a size
    ]);
    assert.match(single(a.findings.filter((f) => f.range.start.line === 6), 'MSP102').message, /legacy constructor, which takes data or sizes and makes float32/);
    // every use counts as one with a same-behaviour twin: the statistics no longer call them "no equivalent"
    assert.equal(a.stats.none, 0);
    const out = applyPreferred(src, a.findings);
    assert.match(out, /^def f\(x: ms\.Tensor, y: ms\.Tensor\) -> ms\.Tensor:$/m);
    assert.match(out, /a = mint\.ones\(3, dtype=ms\.int64\)/);
    assert.match(out, /m = x\.to\(ms\.bool_\)/);
    assert.match(out, /isinstance\(x, ms\.Tensor\)/);
    assert.match(out, /return mint\.zeros\(\(2, 3\), dtype=ms\.float32\)/);
    assert.match(out, /return ms\.Tensor\(\[1\.0, 2\.0\], dtype=ms\.float32\) \+ ms\.Tensor\(data, dtype=ms\.float32\)/);
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('the severity can be overridden per rule, and off disables the rule', () => {
    const src = 'import torch\ny = torch.abs(x)\n';
    assert.equal(single(analyze(src, { ...MSP1, severity: { MSP101: 'error' } }).findings, 'MSP101').severity, 'error');
    assert.deepEqual(analyze(src, { severity: { MSP101: 'off' } }).findings.filter((f) => f.code === 'MSP101'), []);
  });
});

describe('MSP102 twin with differences', () => {
  test('renamed keyword arguments: warning, message lists each difference, safe fix', () => {
    const src = 'import torch\ny = torch.amax(x, dim=1, keepdim=True)\n';
    const f = single(analyze(src, { ...MSP1, targetApi: 'classic' }).findings, 'MSP102');
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, '`torch.amax` → `mindspore.ops.amax`: `input` is called `x`; `dim` is called `axis`; `keepdim` is called `keepdims`');
    assert.equal(f.fixes[0].applicability, 'safe');
    assert.equal(f.data?.twin, 'classic');
  });

  test('a behaviour difference makes the fix unsafe', () => {
    const src = 'import torch\ny = torch.cat([a, b], dim=0)\n';
    const f = single(analyze(src, { ...MSP1, targetApi: 'classic' }).findings, 'MSP102');
    assert.equal(f.fixes[0].applicability, 'unsafe');
    assert.match(f.message, /`dim` is called `axis`/);
  });

  test('a changed default is spelled out with torch\'s value', () => {
    const src = 'import torch.nn as nn\nn = nn.LayerNorm(16)\n';
    const a = analyze(src, { ...MSP1, targetApi: 'classic' });
    const f = single(a.findings, 'MSP102');
    assert.match(f.message, /`eps` defaults to [^;]+; torch's `1e-05` is passed explicitly/);
    assert.equal(applyPreferred(src, a.findings), 'import torch.nn as nn\nimport mindspore as ms\nn = ms.nn.LayerNorm(normalized_shape=16, epsilon=1e-05)\n');
  });
});

describe('MSP102 Module methods', () => {
  test('parameters() / named_parameters() are the Cell methods with an unsafe rename: BatchNorm statistics are Parameters there', () => {
    const src = [
      'import torch',
      'import torch.nn as nn',
      'model = nn.Linear(2, 3)',
      'opt = torch.optim.AdamW(model.parameters(), lr=1e-3)',
      'names = [n for n, p in model.named_parameters()]',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const got = a.findings.filter((f) => /^torch\.nn\.Module\./.test(String(f.data?.torchApi)));
    assert.deepEqual(
      got.map((f) => [f.code, f.fixes[0]?.applicability]),
      [
        ['MSP102', 'unsafe'],
        ['MSP102', 'unsafe'],
      ],
    );
    assert.match(got[0].message, /the parameters an optimizer updates/);
    const out = applyPreferred(src, got);
    // not get_parameters(): it also yields BatchNorm's statistics, which the optimizer would then decay and step
    assert.match(out, /AdamW\(model\.trainable_params\(\), lr=1e-3\)/);
    assert.match(out, /for n, p in model\.parameters_and_names\(\)\]/);
    // add_module is insert_child_to_cell, its arguments renamed (passed by keyword, which the renames then need)
    const add = 'import torch\nclass A(torch.nn.Module):\n    def __init__(self):\n        self.add_module("relu", torch.nn.ReLU())\n';
    const f = single(analyze(add, MSP1).findings.filter((x) => x.data?.torchApi === 'torch.nn.Module.add_module'), 'MSP102');
    assert.equal(f.fixes[0]?.applicability, 'safe');
    assert.match(applyPreferred(add, [f]), /self\.insert_child_to_cell\(child_name="relu", child_cell=torch\.nn\.ReLU\(\)\)/);
    // an attribute of the model's own (a sub-module) is not a torch API
    assert.deepEqual(analyze('import torch.nn as nn\nclass M(nn.Module):\n    def forward(self, x):\n        return self.parameters_of(x)\n', MSP1).findings.filter((f) => f.code.startsWith('MSP10')), []);
  });
});

describe('MSP102 sizes as separate arguments', () => {
  test('x.repeat(1, 2) is x.tile((1, 2)) and x.expand(4, -1) x.broadcast_to((4, -1)): MindSpore takes one tuple', () => {
    const src = [
      'import torch',
      'x = torch.zeros(2, 3)',
      'a = x.repeat(1, 2)',
      'b = x.repeat((1, 2))',
      'c = x.repeat(3)',
      'd = x.expand(4, -1, 3)',
      'e = x.expand(*y.shape)',
      'f = x.expand(*shape, 3)',
      'g = torch.zeros(*shape)',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const got = a.findings.filter((f) => /^torch\.(Tensor\.(repeat|expand)|zeros)$/.test(String(f.data?.torchApi)) && f.range.start.line > 1);
    assert.deepEqual(
      got.map((f) => [f.range.start.line + 1, f.code, f.fixes[0]?.applicability]),
      [
        [3, 'MSP102', 'safe'],
        [4, 'MSP101', 'safe'],
        [5, 'MSP102', 'safe'],
        [6, 'MSP102', 'safe'],
        [7, 'MSP102', 'safe'],
        // a spread among other sizes: sizes one by one, so (*shape, 3) is the tuple
        [8, 'MSP102', 'safe'],
        // a name may hold the sizes or one whole shape: unsafe (a shape read off a tensor is safe, line 7)
        [9, 'MSP102', 'unsafe'],
      ],
    );
    assert.match(got[0].message, /the sizes are passed as one tuple/);
    const out = applyPreferred(src, a.findings.filter((f) => f.fixes[0]?.applicability === 'safe'));
    for (const line of ['a = x.tile((1, 2))', 'b = x.tile((1, 2))', 'c = x.tile((3,))', 'd = x.broadcast_to((4, -1, 3))', 'e = x.broadcast_to(tuple(y.shape))', 'f = x.broadcast_to((*shape, 3))']) {
      assert.ok(out.includes(`\n${line}\n`), `${line}\n${out}`);
    }
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('x.repeat(n) with one name: torch takes an int or a sequence, tile only a sequence, so the rename is unsafe; a shape is a sequence', () => {
    const src = 'import torch\ndef f(x: torch.Tensor, n, y: torch.Tensor):\n    a = x.repeat(n)\n    b = x.repeat(y.shape)\n    c = x.repeat([2, 1])\n    return a, b, c\n';
    const f = analyze(src, MSP1).findings.filter((x) => x.data?.torchApi === 'torch.Tensor.repeat');
    assert.deepEqual(f.map((x) => x.fixes[0]?.applicability), ['unsafe', 'safe', 'safe']);
    assert.match(f[0].message, /`n` must be a tuple or list of sizes/);
  });

  test("a guessed tensor method whose call torch would refuse is another library's: NumPy's and xarray's transpose take any number of axes", () => {
    const src = 'def f(a, ds, x):\n    b = a.transpose(1, 0, 2, 3)\n    c = ds.transpose("time", "lat", "lon")\n    d = x.transpose(1, 2)\n    return b, c, d\n';
    const f = analyze(src, MSP1).findings.filter((x) => x.data?.torchApi === 'torch.Tensor.transpose');
    assert.deepEqual(f.map((x) => x.range.start.line + 1), [4]);
  });

  test("torchvision's Normalize works on CHW tensors (after ToTensor): MindSpore's is told is_hwc=False", () => {
    const src = 'from torchvision import transforms\nt = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])\n';
    const a = analyze(src, { ...MSP1, device: 'CPU' });
    const f = single(a.findings, 'MSP102', 'torchvision.transforms.Normalize');
    assert.equal(f.fixes[0]?.applicability, 'safe');
    assert.match(applyPreferred(src, [f]), /Normalize\(\(0\.5,\), \(0\.5,\), is_hwc=False\)/);
    const given = analyze('from torchvision import transforms\nn = transforms.Normalize(m, s, inplace=False)\n', { ...MSP1, device: 'CPU' });
    assert.match(applyPreferred('from torchvision import transforms\nn = transforms.Normalize(m, s, inplace=False)\n', given.findings), /Normalize\(m, s, is_hwc=False\)/);
  });
});

describe('container methods', () => {
  test("nn.ModuleDict's methods are CellDict's: the same, not 'no equivalent'", () => {
    const src = [
      'import torch.nn as nn',
      'class N(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.heads = nn.ModuleDict({"a": nn.ReLU()})',
      '        self.heads.update({"b": nn.ReLU()})',
      '        self.names = list(self.heads.keys())',
      '        self.heads.pop("a")',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    assert.equal(a.stats.none, 0, JSON.stringify(a.stats));
    // ModuleDict (its modules= differs), update, keys, pop, two ReLUs; nn.Module (behaviour)
    assert.deepEqual([a.stats.apiUses, a.stats.same], [7, 5]);
    assert.deepEqual(a.findings.filter((f) => /ModuleDict\./.test(String(f.data?.torchApi))), [], 'same name, nothing to change');
  });
});

describe('Tensor methods aligned with torch in MindSpore 2.6', () => {
  test('x.max(dim) and x.gather(dim, index) are the same from 2.6; before, max needs return_indices=True and gather is gather_elements', () => {
    const src = 'import torch\nx = torch.zeros(2, 3)\na = x.max(dim=1)\nb = x.max()\nc = x.gather(1, idx)\n';
    const methods = (over: Partial<Settings>) =>
      analyze(src, { ...MSP1, ...over }).findings.filter((f) => String(f.data?.torchApi).startsWith('torch.Tensor.'));
    assert.deepEqual(methods({}), [], 'MindSpore 2.6: the same methods, nothing to say');
    for (const mindsporeVersion of ['2.4', '2.5'] as const) {
      const found = methods({ mindsporeVersion, device: 'GPU' });
      assert.deepEqual(
        found.map((f) => [f.range.start.line + 1, f.code, f.data?.msApi, f.fixes[0]?.applicability]),
        [
          [3, 'MSP102', 'mindspore.Tensor.max', 'safe'],
          [5, 'MSP101', 'mindspore.Tensor.gather_elements', 'safe'],
        ],
        mindsporeVersion,
      );
      const out = applyPreferred(src, found);
      assert.match(out, /^a = x\.max\(axis=1, return_indices=True\)$/m);
      assert.match(out, /^b = x\.max\(\)$/m);
      assert.match(out, /^c = x\.gather_elements\(1, idx\)$/m);
    }
    // torch's named result is read by position; a tensor by position may be torch's element-wise overload
    const named = 'import torch\nx = torch.zeros(2, 3)\nv = x.max(dim=1).values\ni = x.min(-1).indices\nm = x.max(y)\n';
    const f = analyze(named, { ...MSP1, mindsporeVersion: '2.4', device: 'GPU' }).findings.filter((x) => String(x.data?.torchApi).startsWith('torch.Tensor.'));
    assert.deepEqual(f.map((x) => x.fixes[0]?.applicability), ['safe', 'safe', 'unsafe']);
    assert.match(f[2].message, /`y` is taken as `dim`; if it is a tensor, this is another operation/);
    const out = applyPreferred(named, f);
    assert.match(out, /^v = x\.max\(axis=1, return_indices=True\)\[0\]$/m);
    assert.match(out, /^i = x\.min\(axis=-1, return_indices=True\)\[1\]$/m);
  });
});

describe('MSP102 methods written out', () => {
  test('x.size() is x.shape and x.size(d) x.shape[d]; x.detach() is ops.stop_gradient(x): safe on a known tensor', () => {
    const src = [
      'import torch',
      'x = torch.zeros(2, 3)',
      'a = x.size()',
      'b = x.size(0) + x.size(dim=-1)',
      'c = (x + 1).size(1)',
      'd = (x * 2).detach()',
      'e = x.detach().cpu()',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const got = a.findings.filter((f) => /^torch\.Tensor\.(size|detach)$/.test(String(f.data?.torchApi)));
    assert.deepEqual(
      got.map((f) => [f.range.start.line + 1, f.code, f.fixes[0]?.applicability]),
      [3, 4, 4, 5, 6, 7].map((l) => [l, 'MSP102', 'safe']),
    );
    assert.match(got[0].message, /x\.size\(\) is x\.shape, x\.size\(d\) is x\.shape\[d\]/);
    const out = applyPreferred(src, got);
    for (const line of ['a = x.shape', 'b = x.shape[0] + x.shape[-1]', 'c = (x + 1).shape[1]', 'd = ops.stop_gradient(x * 2)', 'e = ops.stop_gradient(x).cpu()']) {
      assert.ok(out.includes(`\n${line}\n`), `${line}\n${out}`);
    }
    assert.match(out, /^from mindspore import ops$/m);
    assert.equal(countSyntaxErrors(out), 0);
    // a receiver only guessed to be a tensor: unsafe; arguments not understood: no fix rather than a guess
    const guessed = analyze('def f(t):\n    return t.detach()\n', { select: ['MSP1'], lowConfidence: true });
    assert.equal(single(guessed.findings, 'MSP102').fixes[0]?.applicability, 'unsafe');
    assert.deepEqual(single(analyze('import torch\nx = torch.zeros(2)\nn = x.size(0, 1)\n', MSP1).findings.filter((f) => f.data?.torchApi === 'torch.Tensor.size'), 'MSP102').fixes, []);
  });
});

describe('MSP103 no equivalent', () => {
  test('an API with no twin: warning with the database advice, no fix', () => {
    const f = single(analyze('import torch.nn as nn\nbag = nn.EmbeddingBag(10, 3)\n', MSP1).findings, 'MSP103');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^`torch\.nn\.EmbeddingBag` has no MindSpore equivalent\. \S/);
    assert.deepEqual(f.fixes, []);
  });

  test('torch.asarray is ms.Tensor (as torch.as_tensor); device= is dropped, copy= and requires_grad= make it unsafe', () => {
    const rename = (call: string) => {
      const src = `import torch\ny = ${call}\n`;
      const a = analyze(src, MSP1);
      const f = single(a.findings.filter((x) => x.data?.torchApi === 'torch.asarray'), 'MSP101');
      return [f.fixes[0]?.applicability, applyPreferred(src, a.findings).split('\n').at(-2)];
    };
    assert.deepEqual(rename('torch.asarray(a, dtype=torch.float32)'), ['safe', 'y = ms.Tensor(a, dtype=ms.float32)']);
    assert.deepEqual(rename('torch.asarray(a, device="cuda")'), ['safe', 'y = ms.Tensor(a)']);
    assert.deepEqual(rename('torch.asarray(a, copy=True)')[0], 'unsafe');
  });

  test('legacy typed constructors are written out: data as ms.Tensor with the dtype, sizes as mint.zeros', () => {
    const cases: [string, string, string][] = [
      ['torch.LongTensor([1, 2])', 'ms.Tensor([1, 2], dtype=ms.int64)', 'safe'],
      ['torch.BoolTensor([c > 0 for c in cs])', 'ms.Tensor([c > 0 for c in cs], dtype=ms.bool_)', 'safe'],
      ['torch.FloatTensor(3, 4)', 'mint.zeros((3, 4), dtype=ms.float32)', 'safe'],
      ['torch.ByteTensor(5)', 'mint.zeros((5,), dtype=ms.uint8)', 'safe'],
      ['torch.IntTensor(h, w)', 'mint.zeros((h, w), dtype=ms.int32)', 'safe'],
      // one name: data or a size, torch decides at run time
      ['torch.LongTensor(chans)', 'ms.Tensor(chans, dtype=ms.int64)', 'unsafe'],
      ['torch.HalfTensor(np.ones(3))', 'ms.Tensor(np.ones(3), dtype=ms.float16)', 'unsafe'],
    ];
    for (const [call, want, applicability] of cases) {
      const src = `import torch\nimport numpy as np\nt = ${call}\n`;
      const f = single(analyze(src, MSP1).findings, 'MSP103');
      assert.equal(f.fixes[0]?.applicability, applicability, call);
      const out = applyPreferred(src, [f]);
      assert.match(out, new RegExp(`^t = ${want.replace(/[.()[\]]/g, '\\$&')}$`, 'm'), call);
      assert.equal(countSyntaxErrors(out), 0);
    }
    // in an isinstance check, or with keywords: no fix
    for (const src of ['import torch\nok = isinstance(x, torch.FloatTensor)\n', 'import torch\nt = torch.FloatTensor([1], device="cuda")\n']) {
      assert.deepEqual(single(analyze(src, MSP1).findings, 'MSP103').fixes, [], src);
    }
  });

  test('Tensor.unflatten is written out as a reshape of the shape around dim (a known tensor: safe)', () => {
    const cases: [string, string][] = [
      ['x.unflatten(0, (2, 3))', 'x.reshape((2, 3) + x.shape[1:])'],
      ['x.unflatten(dim=-1, sizes=(2, 2))', 'x.reshape(x.shape[:-1] + (2, 2))'],
      ['x.unflatten(sizes=[2, -1], dim=1)', 'x.reshape(x.shape[:1] + tuple([2, -1]) + x.shape[2:])'],
      ['x.unflatten(-2, (3, 2))', 'x.reshape(x.shape[:-2] + (3, 2) + x.shape[-1:])'],
    ];
    for (const [call, want] of cases) {
      const src = `import torch\nx = torch.ones((6, 4))\ny = ${call}\n`;
      const f = single(analyze(src, MSP1).findings, 'MSP103');
      assert.equal(f.fixes[0]?.applicability, 'safe', call);
      assert.match(applyPreferred(src, [f]), new RegExp(`^y = ${want.replace(/[.()[\]+]/g, '\\$&')}$`, 'm'), call);
    }
    // a dim that is not a literal, or a receiver that would be evaluated twice: no fix
    for (const call of ['x.unflatten(d, (2, 3))', 'torch.ones((6, 4)).unflatten(0, (2, 3))']) {
      assert.deepEqual(single(analyze(`import torch\nx = torch.ones((6, 4))\ny = ${call}\n`, MSP1).findings, 'MSP103').fixes, [], call);
    }
  });

  test('a torch function no table lists whose tensor method has a twin: that twin, and a fix calling the method', () => {
    const cases: [string, string][] = [
      ['y = torch.masked_fill(x, mask, 0.0)', 'y = x.masked_fill(mask, 0.0)'],
      ['y = torch.masked_fill(a + b, mask=m, value=v)', 'y = (a + b).masked_fill(mask=m, value=v)'],
      ['y = torch.masked_fill(x[0],\n    m, 1)', 'y = x[0].masked_fill(m, 1)'],
    ];
    for (const [call, expected] of cases) {
      const src = `import torch\n${call}\n`;
      const f = only(analyze(src, MSP1).findings, 'MSP101').find((x) => x.data?.torchApi === 'torch.masked_fill');
      assert.ok(f, call);
      assert.match(f.message, /^`torch\.masked_fill` is the function form of `Tensor\.masked_fill`: MindSpore has the method \(`mindspore\.Tensor\.masked_fill`, the same behaviour\)/);
      assert.equal(f.fixes[0].applicability, 'unsafe');
      const out = applyFixes(src, [f.fixes[0]]).text;
      assert.equal(out, `import torch\n${expected}\n`);
      assert.equal(countSyntaxErrors(out), 0);
    }
    // the method form then maps as a method (no finding: the same in MindSpore); input= by keyword gets no fix
    assert.deepEqual(only(analyze('import torch\nx = torch.zeros(2)\ny = x.masked_fill(m, 0.0)\n', MSP1).findings, 'MSP101').filter((x) => /masked_fill/.test(x.message)), []);
    assert.deepEqual(single(analyze('import torch\ny = torch.masked_fill(input=x, mask=m, value=0)\n', MSP1).findings, 'MSP101').fixes, []);
  });

  test('an API missing from the database is reported when called', () => {
    const a = analyze('import torch\ny = torch.not_a_real_api(x)\nz = torch.not_a_real_attr\n', MSP1);
    const f = single(a.findings, 'MSP103');
    assert.equal(f.message, "`torch.not_a_real_api` is not in MindPort's mapping database: no MindSpore equivalent is known");
    assert.equal(f.range.start.line, 1);
    assert.equal(a.stats.none, 2);
  });

  test('APIs met in real weather models: typed legacy constructors, ParameterList, torch.compiler.disable, apex and torchvision helpers, profiling and anomaly checks', () => {
    const src = [
      'import torch',
      'import torch.nn as nn',
      'from apex.optimizers import FusedAdam',
      'from torchvision.utils import save_image',
      'idx = torch.LongTensor([1, 2])',
      'ws = nn.ParameterList([nn.Parameter(torch.zeros(2))])',
      '@torch.compiler.disable',
      'def host_only(x):',
      '    return x',
      'opt = FusedAdam(params, lr=1e-3)',
      'save_image(img, "a.png")',
      'torch.autograd.set_detect_anomaly(True)',
      'with torch.profiler.profile(schedule=torch.profiler.schedule(wait=1, warmup=1, active=2)) as prof:',
      '    torch._check(x.shape[0] > 0)',
      'q = torch.quantile(x, 0.9)',
      'net = nn.SyncBatchNorm.convert_sync_batchnorm(net)',
      'from timm.scheduler import create_scheduler',
      'sched, _ = create_scheduler(args, opt)',
      'ds = torch.utils.data.ConcatDataset([a, b])',
      'sampler = torch.utils.data.DistributedSampler(ds)',
      'mask = torch.where(valid, x, torch.nan) * torch.pi',
      'class Fn(torch.autograd.Function):',
      '    pass',
      'from timm.models.vision_transformer import PatchEmbed, Block',
      'pe = PatchEmbed(224, 16, 3, 768)',
      'blk = Block(768, 12)',
      'sd = torch.hub.load_state_dict_from_url(url)',
      'y = x.unflatten(1, (2, 3))',
      '',
    ].join('\n');
    const a = analyze(src, { select: ['MSP1', 'MSP206', 'MSP405', 'MSP407'] });
    const msg = (code: string, api: string) => single(a.findings, code, api).message;
    assert.match(msg('MSP103', 'torch.LongTensor'), /ms\.Tensor\(data, dtype=ms\.int64\)/);
    assert.match(msg('MSP102', 'torch.nn.ParameterList'), /→ `mindspore\.ParameterTuple`: an immutable tuple/);
    assert.equal(single(a.findings, 'MSP102', 'torch.nn.ParameterList').fixes[0]?.applicability, 'unsafe');
    assert.match(msg('MSP206', 'torch.compiler.disable'), /call it before or after it; there is no per-function opt-out/);
    assert.match(msg('MSP103', 'apex.optimizers.FusedAdam'), /mint\.optim\.AdamW/);
    assert.match(msg('MSP103', 'torchvision.utils.save_image'), /asnumpy/);
    assert.match(msg('MSP103', 'torch.autograd.set_detect_anomaly'), /all_finite/);
    assert.match(msg('MSP102', 'torch.profiler.profile'), /→ `mindspore\.profiler\.profile`: activities are/);
    assert.match(msg('MSP102', 'torch.profiler.schedule'), /→ `mindspore\.profiler\.schedule`/);
    assert.match(msg('MSP103', 'torch._check'), /raise ValueError/);
    assert.match(msg('MSP103', 'torch.quantile'), /ops\.sort/);
    assert.match(msg('MSP103', 'torch.nn.SyncBatchNorm.convert_sync_batchnorm'), /mint\.nn\.SyncBatchNorm/);
    assert.match(msg('MSP103', 'timm.scheduler.create_scheduler'), /cosine_decay_lr/);
    assert.match(msg('MSP405', 'torch.utils.data.ConcatDataset'), /GeneratorDataset/);
    // torch.utils.data.DistributedSampler is the public alias of the class documented in torch.utils.data.distributed
    assert.ok(single(a.findings, 'MSP407', 'torch.utils.data.distributed.DistributedSampler'));
    assert.match(msg('MSP103', 'torch.autograd.Function'), /bprop/);
    assert.match(msg('MSP103', 'timm.models.vision_transformer.PatchEmbed'), /kernel size and stride are the patch size/);
    assert.match(msg('MSP103', 'timm.models.vision_transformer.Block'), /pre-norm transformer block/);
    assert.match(msg('MSP103', 'torch.hub.load_state_dict_from_url'), /convert the torch checkpoint/);
  });

  test('torch.pi, nan, inf and e are the math module’s constants: a safe fix names them and imports math once', () => {
    const src = 'import torch\nmask = torch.where(valid, x, torch.nan) * torch.pi\nr = torch.e ** 2\n';
    const a = analyze(src, MSP1);
    const f = a.findings.filter((x) => /^torch\.(nan|pi|e)$/.test(x.data?.torchApi ?? ''));
    assert.deepEqual(f.map((x) => [x.code, x.fixes[0]?.applicability]), [['MSP101', 'safe'], ['MSP101', 'safe'], ['MSP101', 'safe']]);
    assert.match(f[0].message, /`torch\.nan` → `math\.nan` \(the same value/);
    const out = applyPreferred(src, f);
    assert.equal(out, 'import torch\nimport math\nmask = torch.where(valid, x, math.nan) * math.pi\nr = math.e ** 2\n');
    assert.equal(countSyntaxErrors(out), 0);
    // an existing alias of math is used; a file whose `math` is something else gets no fix
    assert.match(applyPreferred('import math as m\nimport torch\ny = torch.pi\n', analyze('import math as m\nimport torch\ny = torch.pi\n', MSP1).findings), /y = m\.pi/);
    assert.deepEqual(single(analyze('import torch\nmath = 3\ny = torch.pi\n', MSP1).findings, 'MSP101', 'torch.pi').fixes, []);
    assert.equal(a.stats.none, 0, 'not counted as "no equivalent"');
    assert.ok(!a.findings.some((f) => /not in MindPort's mapping database/.test(f.message)), a.findings.map((f) => f.message).join('\n'));
  });

  test('an API passed as a value is called elsewhere with torch arguments: a default or rename difference makes the rename unsafe', () => {
    const classic = { ...MSP1, targetApi: 'classic' as const };
    const src = 'import torch.nn as nn\nblock = Layer(layer=nn.MaxPool2d, kernel_size=2)\nok = isinstance(m, nn.MaxPool2d)\n';
    const f = analyze(src, classic).findings.filter((x) => x.data?.torchApi === 'torch.nn.MaxPool2d');
    assert.deepEqual(f.map((x) => x.fixes[0]?.applicability), ['unsafe', 'safe']);
    assert.match(f[0].message, /called elsewhere with torch's arguments/);
  });

  test('clip_grad_norm_ gets no rename: ops.clip_by_norm returns clipped copies of what it is given, torch clips the gradients in place', () => {
    const f = single(analyze('import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)\n', MSP1).findings, 'MSP102');
    assert.deepEqual(f.fixes, []);
    assert.match(f.message, /in place/);
  });

  test('neighbouring unsupported arguments are all removed by one fix all, with the rename in the same pass', () => {
    const src = 'import torch\na = torch.zeros((2, 3), dtype=torch.float32, device=x.device, requires_grad=False)\nb = torch.empty(s, dtype=d, device=dev, memory_format=fmt)\n';
    const out = fixAll(src, settings(MSP1), realDb(), { unsafe: true }).text;
    assert.match(out, /^a = mint\.zeros\(\(2, 3\), dtype=ms\.float32\)$/m);
    assert.match(out, /^b = mint\.empty\(s, dtype=d\)$/m);
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('torch.Size is tuple, a MindSpore shape: calls, annotations and isinstance get a safe fix; a file whose tuple is rebound gets none', () => {
    const src = 'import torch\nassert x.shape == torch.Size([4, 8])\ndef f(s: torch.Size) -> bool:\n    return isinstance(s, torch.Size)\n';
    const a = analyze(src, MSP1);
    const f = a.findings.filter((x) => x.data?.torchApi === 'torch.Size');
    assert.deepEqual(f.map((x) => [x.code, x.fixes[0]?.applicability]), [['MSP101', 'safe'], ['MSP101', 'safe'], ['MSP101', 'safe']]);
    const out = applyPreferred(src, f);
    assert.equal(out, 'import torch\nassert x.shape == tuple([4, 8])\ndef f(s: tuple) -> bool:\n    return isinstance(s, tuple)\n');
    assert.equal(countSyntaxErrors(out), 0);
    assert.equal(a.stats.none, 0, 'not counted as "no equivalent"');
    assert.deepEqual(single(analyze('import torch\ntuple = list\ny = torch.Size([1])\n', MSP1).findings, 'MSP101', 'torch.Size').fixes, []);
  });

  test('nn.Parameter stored on self is the same in MindSpore (named after the attribute); elsewhere it differs', () => {
    const src = [
      'import torch',
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.w = nn.Parameter(torch.zeros(2))',
      '        self.b = nn.Parameter(torch.zeros(2), requires_grad=False)',
      '        self.c = nn.Parameter(torch.zeros(2), False)',
      '        p = nn.Parameter(torch.zeros(2))',
      '        self.d = nn.Parameter(data=torch.zeros(2))',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const byLine = a.findings.filter((f) => f.data?.torchApi === 'torch.nn.Parameter').map((f) => [f.range.start.line + 1, f.code, f.fixes[0]?.applicability]);
    assert.deepEqual(byLine, [
      [6, 'MSP101', 'safe'],
      [7, 'MSP101', 'safe'],
      [8, 'MSP102', 'unsafe'],
      [9, 'MSP102', 'unsafe'],
      [10, 'MSP102', 'unsafe'],
    ]);
    const out = applyPreferred(src, a.findings.filter((f) => f.code === 'MSP101' && f.data?.torchApi === 'torch.nn.Parameter'));
    assert.match(out, /self\.b = ms\.Parameter\(torch\.zeros\(2\), requires_grad=False\)/);
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('torch.nn.init functions are written out as set_data(initializer(...)), never renamed into a class', () => {
    const cases: [string, string][] = [
      ['nn.init.constant_(m.bias, 0)', `m.bias.set_data(initializer(Constant(0), m.bias.shape, m.bias.dtype))`],
      ['nn.init.constant_(val=0.5, tensor=w)', `w.set_data(initializer(Constant(0.5), w.shape, w.dtype))`],
      // torch's std (1.0 by default) is MindSpore's sigma (0.01 by default): always passed
      ['nn.init.normal_(w)', `w.set_data(initializer(Normal(sigma=1.0), w.shape, w.dtype))`],
      ['nn.init.normal_(w, 0.0, 0.02)', `w.set_data(initializer(Normal(sigma=0.02), w.shape, w.dtype))`],
      ['nn.init.normal_(w, std=0.02, mean=1.0)', `w.set_data(initializer(Normal(mean=1.0, sigma=0.02), w.shape, w.dtype))`],
      ['init.trunc_normal_(self.pos, std=.02)', `self.pos.set_data(initializer(TruncatedNormal(sigma=.02), self.pos.shape, self.pos.dtype))`],
      ['trunc_normal_(w, std=0.02, a=-0.04, b=0.04)', `w.set_data(initializer(TruncatedNormal(sigma=0.02, a=-0.04, b=0.04), w.shape, w.dtype))`],
      ['nn.init.xavier_uniform_(w, gain=2.0)', `w.set_data(initializer(XavierUniform(gain=2.0), w.shape, w.dtype))`],
      ['nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")', `w.set_data(initializer(HeNormal(mode="fan_out", nonlinearity="relu"), w.shape, w.dtype))`],
      ['nn.init.zeros_(b)', `b.set_data(initializer(Zero(), b.shape, b.dtype))`],
      ['nn.init.orthogonal_(w, gain=2)', `w.set_data(initializer(Orthogonal(gain=2), w.shape, w.dtype))`],
      // MindSpore's Uniform(scale) draws from U(-scale, scale): symmetric bounds only; others as torch defines them
      ['nn.init.uniform_(w, -0.1, 0.1)', `w.set_data(initializer(Uniform(scale=0.1), w.shape, w.dtype))`],
      ['nn.init.uniform_(self.bias, -bound, bound)', `self.bias.set_data(initializer(Uniform(scale=bound), self.bias.shape, self.bias.dtype))`],
      ['nn.init.uniform_(w, b=0.5, a=-0.5)', `w.set_data(initializer(Uniform(scale=0.5), w.shape, w.dtype))`],
      ['nn.init.uniform_(w)', `w.set_data(mint.rand(w.shape, dtype=w.dtype))`],
      ['nn.init.uniform_(w, a=-1, b=3)', `w.set_data(mint.rand(w.shape, dtype=w.dtype) * 4 - 1)`],
      ['nn.init.uniform_(w, lo, cfg.hi)', `w.set_data(mint.rand(w.shape, dtype=w.dtype) * (cfg.hi - lo) + lo)`],
      ['nn.init.uniform_(w, 0.2, 0.3)', `w.set_data(mint.rand(w.shape, dtype=w.dtype) * (0.3 - 0.2) + 0.2)`],
      // an item of a layer list at a literal index or a name is read the same each time
      ['nn.init.constant_(self.adaLN[-1].bias, 0)', `self.adaLN[-1].bias.set_data(initializer(Constant(0), self.adaLN[-1].bias.shape, self.adaLN[-1].bias.dtype))`],
      ['nn.init.normal_(layers[i].weight, std=0.1)', `layers[i].weight.set_data(initializer(Normal(sigma=0.1), layers[i].weight.shape, layers[i].weight.dtype))`],
      // a reshaped view shares the elements: an initialiser drawing each alike fills the tensor (ClimaX's patch embeddings)
      ['trunc_normal_(w.view([w.shape[0], -1]), std=0.02)', `w.set_data(initializer(TruncatedNormal(sigma=0.02), w.shape, w.dtype))`],
    ];
    const head = 'import torch\nimport torch.nn as nn\nfrom torch.nn import init\nfrom timm.models.layers import trunc_normal_\n';
    for (const [call, want] of cases) {
      const src = `${head}${call}\n`;
      const f = single(analyze(src, MSP1).findings, 'MSP102');
      assert.equal(f.fixes.length, 1, call);
      assert.equal(f.fixes[0].applicability, 'unsafe', call);
      const out = applyPreferred(src, [f]);
      assert.ok(out.includes(`\n${want}\n`), `${call}\n${out}`);
      assert.equal(countSyntaxErrors(out), 0);
    }
    // an argument not understood, or a tensor that would be evaluated three times: no fix rather than a guess
    // (uniform_: bounds torch rejects, a call that `rand * (b - a) + a` would make twice)
    for (const call of ['nn.init.normal_(torch.flatten(self.proj.weight), std=0.02)', 'nn.init.constant_(w.view(torch.int32), 1)', 'nn.init.xavier_uniform_(w.view([w.shape[0], -1]))', 'nn.init.normal_(w, std=0.02, generator=g)', 'nn.init.zeros_(self.get_w())', 'nn.init.zeros_(layers[i + 1].bias)', 'nn.init.zeros_(layers[f()].bias)', 'nn.init.zeros_(layers[1:].bias)', 'nn.init.constant_(w)', 'nn.init.uniform_(w, 2)', 'nn.init.uniform_(w, f(), 1)', 'nn.init.uniform_(w, 0, 1, g)']) {
      assert.deepEqual(single(analyze(`${head}${call}\n`, MSP1).findings, 'MSP102').fixes, [], call);
    }
    // nor is another function renamed into a class whose constructor takes something else
    assert.deepEqual(single(analyze('import torchvision\nk = torchvision.ops.nms(boxes, scores, 0.5)\n', MSP1).findings, 'MSP102').fixes, []);
  });

  test('initialiser names are imported by name, reusing imports the file has, and qualified when a name is taken', () => {
    const call = 'nn.init.normal_(w, std=0.02)\n';
    const fixed = (head: string) => {
      const src = `import torch.nn as nn\n${head}${call}`;
      const out = applyPreferred(src, [single(analyze(src, MSP1).findings, 'MSP102')]);
      assert.equal(countSyntaxErrors(out), 0);
      return out;
    };
    assert.equal(
      fixed(''),
      'import torch.nn as nn\nfrom mindspore.common.initializer import initializer\nfrom mindspore.common.initializer import Normal\n' +
        'w.set_data(initializer(Normal(sigma=0.02), w.shape, w.dtype))\n',
    );
    // an import of the name, or of the module, is used as it is
    const own = 'from mindspore.common.initializer import initializer as init_, Normal\n';
    assert.equal(fixed(own), `import torch.nn as nn\n${own}w.set_data(init_(Normal(sigma=0.02), w.shape, w.dtype))\n`);
    const mod = 'import mindspore.common.initializer as msinit\n';
    assert.equal(fixed(mod), `import torch.nn as nn\n${mod}w.set_data(msinit.initializer(msinit.Normal(sigma=0.02), w.shape, w.dtype))\n`);
    // `Normal` is torch's distribution here: MindSpore's is written in full, `initializer` still by name
    const taken = 'from torch.distributions import Normal\n';
    assert.match(fixed(taken), /^from mindspore\.common\.initializer import initializer\nimport mindspore as ms\nw\.set_data\(initializer\(ms\.common\.initializer\.Normal\(sigma=0\.02\), w\.shape, w\.dtype\)\)$/m);
  });

  test('nn.ModuleList of a local name that only ever holds a list is CellList too; as a type it is the same', () => {
    const verdict = (body: string) =>
      analyze(`import torch.nn as nn\n${body}`, MSP1)
        .findings.filter((f) => f.data?.torchApi === 'torch.nn.ModuleList')
        .map((f) => `${f.code} ${f.fixes[0]?.applicability}`);
    // built as a list, appended to or extended
    assert.deepEqual(verdict('def f():\n    layers = []\n    for i in range(3):\n        layers.append(nn.Linear(2, 2))\n    return nn.ModuleList(layers)\n'), ['MSP101 safe']);
    assert.deepEqual(verdict('def f():\n    layers = [nn.Linear(2, 2) for _ in range(3)]\n    layers += [nn.ReLU()]\n    return nn.ModuleList(layers)\n'), ['MSP101 safe']);
    // a parameter, another value, a loop target: it may be anything
    for (const body of [
      'def f(layers):\n    return nn.ModuleList(layers)\n',
      'def f():\n    layers = tuple(x)\n    return nn.ModuleList(layers)\n',
      'def f():\n    layers = []\n    layers = make()\n    return nn.ModuleList(layers)\n',
      'def f():\n    layers = []\n    for layers in z:\n        pass\n    return nn.ModuleList(layers)\n',
    ]) {
      assert.deepEqual(verdict(body), ['MSP102 unsafe'], body);
    }
    // an annotation or isinstance names the type: CellList is the same type
    assert.deepEqual(verdict('def modules(self) -> nn.ModuleList:\n    pass\n'), ['MSP101 safe']);
    assert.deepEqual(verdict('ok = isinstance(m, nn.ModuleList)\n'), ['MSP101 safe']);
  });

  test('nn.ModuleList is CellList for a list passed by position; a tuple, generator, variable or modules= differ', () => {
    const src = [
      'import torch.nn as nn',
      'from torch.nn import ModuleList as ML',
      'a = nn.ModuleList([nn.Identity() for _ in range(3)])',
      'b = nn.ModuleList()',
      'c = ML([nn.Identity(), nn.Identity()])',
      'd = nn.ModuleList(blocks)',
      'e = nn.ModuleList(modules=[nn.Identity()])',
      'f = nn.ModuleList(nn.Identity() for _ in range(3))',
      'g = nn.ModuleList((nn.Identity(),))',
      '',
    ].join('\n');
    const a = analyze(src, MSP1);
    const byLine = a.findings.filter((f) => f.data?.torchApi === 'torch.nn.ModuleList').map((f) => [f.range.start.line + 1, f.code, f.fixes[0]?.applicability]);
    assert.deepEqual(byLine, [
      [3, 'MSP101', 'safe'],
      [4, 'MSP101', 'safe'],
      [5, 'MSP101', 'safe'],
      [6, 'MSP102', 'unsafe'],
      [7, 'MSP102', 'unsafe'],
      [8, 'MSP102', 'unsafe'],
      [9, 'MSP102', 'unsafe'],
    ]);
    assert.match(single(a.findings.filter((f) => f.range.start.line === 6), 'MSP102').message, /takes one list, by position/);
    const out = applyPreferred(src, a.findings.filter((f) => f.code === 'MSP101' && f.data?.torchApi === 'torch.nn.ModuleList'));
    assert.match(out, /^a = ms\.nn\.CellList\(\[nn\.Identity\(\) for _ in range\(3\)\]\)$/m);
    assert.match(out, /^c = ms\.nn\.CellList\(\[nn\.Identity\(\), nn\.Identity\(\)\]\)$/m);
    assert.equal(countSyntaxErrors(out), 0);
  });

  test('nn.Sequential is SequentialCell, modules by position or one OrderedDict', () => {
    for (const call of ['nn.Sequential(nn.ReLU(), nn.Identity())', 'nn.Sequential(*layers)', 'nn.Sequential(OrderedDict(relu=nn.ReLU()))']) {
      const f = single(analyze(`import torch.nn as nn\nm = ${call}\n`, MSP1).findings, 'MSP101', 'torch.nn.Sequential');
      assert.equal(f.fixes[0]?.applicability, 'safe', call);
    }
  });

  test('a twin newer than the target version is named with its version', () => {
    const f = single(analyze('import torch.nn.functional as F\ny = F.gelu(x)\n', { ...MSP1, mindsporeVersion: '2.3' }).findings, 'MSP103');
    assert.match(f.message, /`mindspore\.mint\.nn\.functional\.gelu` exists only from MindSpore 2\.5 \(target 2\.3\)/);
  });
});

describe('target switches change the suggestion (torch.nn.functional.gelu)', () => {
  const src = 'import torch.nn.functional as F\ny = F.gelu(x)\n';
  const cases: [string, Partial<Settings>, string, string, 'safe' | 'unsafe'][] = [
    ['Ascend 910B, 2.6, auto', {}, 'MSP101', 'y = mint.nn.functional.gelu(x)', 'safe'],
    ['Ascend 310P', { device: 'Ascend310P' }, 'MSP101', 'y = mint.nn.functional.gelu(x)', 'safe'],
    ['GPU', { device: 'GPU' }, 'MSP102', 'y = ops.gelu(input_x=x)', 'safe'],
    ['CPU', { device: 'CPU' }, 'MSP102', 'y = ops.gelu(input_x=x)', 'safe'],
    ['MindSpore 2.4 (mint gelu is 2.5+)', { mindsporeVersion: '2.4' }, 'MSP102', 'y = ops.gelu(input_x=x)', 'safe'],
    ['MindSpore 2.6', { mindsporeVersion: '2.6' }, 'MSP101', 'y = mint.nn.functional.gelu(x)', 'safe'],
    ['targetApi classic on Ascend', { targetApi: 'classic' }, 'MSP102', 'y = ops.gelu(input_x=x)', 'safe'],
    ['targetApi mint on Ascend', { targetApi: 'mint' }, 'MSP101', 'y = mint.nn.functional.gelu(x)', 'safe'],
    ['targetApi mint on GPU: MSP105 offers the classic twin', { targetApi: 'mint', device: 'GPU' }, 'MSP105', 'y = ops.gelu(x)', 'unsafe'],
  ];
  for (const [name, over, code, line, applicability] of cases) {
    test(name, () => {
      const a = analyze(src, { ...MSP1, ...over });
      const f = single(a.findings, code, 'torch.nn.functional.gelu');
      assert.equal(f.fixes[0]?.applicability, applicability);
      const out = applyPreferred(src, a.findings);
      assert.ok(out.split('\n').includes(line), out);
      assert.equal(countSyntaxErrors(out), 0);
    });
  }

  test('MSP105 message names the device, version, platforms and the alternative', () => {
    const f = single(analyze(src, { ...MSP1, targetApi: 'mint', device: 'GPU' }).findings, 'MSP105');
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, '`mindspore.mint.nn.functional.gelu` does not run on GPU in MindSpore 2.6 (Ascend only); `mindspore.ops.gelu` does');
    assert.equal(f.data?.msApi, 'mindspore.mint.nn.functional.gelu');
  });

  test('an API MSAdapter lacks but MindSpore has by the same name: MSP102 says it was not compared, the fix is unsafe', () => {
    const src3 = 'import torch\nx = torch.zeros(4)\ns = x.untyped_storage()\n';
    const a = analyze(src3, MSP1);
    const f = single(a.findings, 'MSP102', 'torch.Tensor.untyped_storage');
    assert.match(f.message, /→ `mindspore\.Tensor\.untyped_storage`: a MindSpore API of the same name, .*not compared/);
    assert.ok(!f.fixes.some((x) => x.applicability === 'safe'));
    assert.equal(only(a.findings, 'MSP103').length, 0, 'not "no MindSpore equivalent"');
  });

  test('same-named twins compared by hand: huber_loss and nanmean get safe fixes, uniform_ and normal_ need none', () => {
    const src4 = 'import torch.nn.functional as F\nl = F.huber_loss(p, y, delta=0.5)\nm = torch.nanmean(sst, dim=0, keepdim=True)\nn = sst.nanmean(1)\nw.uniform_(-0.1, 0.1)\nw.normal_(0, 0.02)\n';
    const a = analyze('import torch\n' + src4, MSP1);
    assert.equal(single(a.findings, 'MSP101', 'torch.nn.functional.huber_loss').fixes[0]?.applicability, 'safe');
    const out = applyPreferred('import torch\n' + src4, a.findings);
    assert.ok(out.includes('m = ops.nanmean(sst, axis=0, keepdims=True)'), out);
    assert.ok(out.includes('n = sst.nanmean(1)'), out);
    assert.equal(a.findings.filter((f) => /uniform_|normal_/.test(String(f.data?.torchApi))).length, 0, 'the same method: nothing to say');
    assert.match(single(analyze('import torch\nl = torch.nn.functional.huber_loss(p, y, weight=w)\n', MSP1).findings, 'MSP104').message, /weight/);
    const cg = 'import torch\nimport torch.nn as nn\nc = torch.cov(x, correction=0)\ng = nn.GLU(dim=1)\n';
    const cgOut = applyPreferred(cg, analyze(cg, MSP1).findings);
    assert.ok(cgOut.includes('c = ops.cov(x, correction=0)') && cgOut.includes('g = mint.nn.GLU(dim=1)'), cgOut);
    // the same name, another operation: MindSpore's Tensor.unfold makes image patches
    const unfold = single(analyze('import torch\nw = torch.ones(8).unfold(0, 2, 1)\n', MSP1).findings, 'MSP103');
    assert.match(unfold.message, /another operation with the same name/);
    assert.equal(unfold.fixes.length, 0);
    // torch's x.equal(y) is one bool; MindSpore's Tensor.equal is element-wise: said, and no silent pass
    const equal = single(analyze('import torch\nsame = torch.ones(3).equal(y)\n', MSP1).findings, 'MSP102');
    assert.match(equal.message, /mint\.equal\(x, other\).*element by element/);
    // select(dim, index) exists from 2.5; in 2.4 Tensor.select was another operation
    assert.equal(analyze('import torch\nr = torch.ones(3, 3).select(0, 1)\n', MSP1).findings.filter((f) => f.data?.torchApi === 'torch.Tensor.select').length, 0);
    assert.match(single(analyze('import torch\nr = torch.ones(3, 3).select(0, 1)\n', { ...MSP1, mindsporeVersion: '2.4' }).findings, 'MSP103').message, /only from MindSpore 2\.5/);
  });

  test('more twins compared by hand: the same methods stay quiet, renamed keywords are rewritten, real differences are said', () => {
    // the same signature and behaviour on a known tensor: nothing to say
    const same = 'import torch\nw = torch.ones(3)\nok = w.allclose(w, atol=1e-3)\nn = w.count_nonzero(dim=0)\nw.addmm_(a, b, beta=0.5)\nw.floor_()\nw.exponential_(2.0)\nw.index_put_((i,), v, accumulate=True)\n';
    assert.deepEqual(analyze(same, MSP1).findings.filter((f) => String(f.data?.torchApi).startsWith('torch.Tensor.')).map((f) => f.message), []);
    // keyword renames (by keyword and by position), a dropped inplace=False, plain renames
    const src5 = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nlo, hi = torch.aminmax(sst, dim=0, keepdim=True)\nl = F.gaussian_nll_loss(mu, y, var, eps=1e-4)\nl2 = F.gaussian_nll_loss(input=mu, target=y, var=var)\nw = torch.ones(3)\nw.floor_divide_(2)\nd = F.dropout1d(h, 0.1, training=True, inplace=False)\nact = nn.CELU(0.5, inplace=False)\nz = torch.fix(x)\n';
    const a5 = analyze(src5, MSP1);
    assert.equal(single(a5.findings, 'MSP102', 'torch.aminmax').fixes[0]?.applicability, 'safe');
    assert.equal(single(a5.findings, 'MSP101', 'torch.fix').fixes[0]?.applicability, 'safe');
    assert.equal(
      applyPreferred(src5, a5.findings),
      'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom mindspore import ops\nfrom mindspore import mint\nimport mindspore as ms\n' +
        'lo, hi = ops.aminmax(sst, axis=0, keepdims=True)\nl = ops.gaussian_nll_loss(x=mu, target=y, var=var, eps=1e-4)\nl2 = ops.gaussian_nll_loss(x=mu, target=y, var=var)\n' +
        'w = mint.ones(3)\nw.floor_divide_(other=2)\nd = ops.dropout1d(h, 0.1, training=True)\nact = ms.nn.CELU(0.5)\nz = mint.fix(x)\n',
    );
    // without dim, torch reduces the whole tensor where MindSpore reduces axis 0: said, and the fix is unsafe
    const whole = single(analyze('import torch\nlo, hi = torch.aminmax(sst)\n', MSP1).findings, 'MSP102');
    assert.match(whole.message, /`dim` defaults to `0`: .*pass axis=None/);
    assert.equal(whole.fixes[0]?.applicability, 'unsafe');
    // random_(10): torch's upper bound is MindSpore's lower bound
    const rnd = only(analyze('import torch\nt = torch.zeros(4, dtype=torch.int64)\nt.random_(10)\n', MSP1).findings, 'MSP102');
    assert.equal(rnd.length, 1);
    assert.match(rnd[0].message, /^`torch\.Tensor\.random_` → `mindspore\.Tensor\.random_`: a single argument is the upper bound in torch .*random_\(0, 10\)/);
    assert.ok(!rnd[0].fixes.some((f) => f.applicability === 'safe'));
    // nanmedian (CPU only): with dim a keyword rename; without dim another result
    const nm = 'import torch\nm = torch.nanmedian(sst, 1, keepdim=True)\nm2 = torch.nanmedian(sst)\n';
    const aNm = analyze(nm, { ...MSP1, device: 'CPU' });
    const [withDim, withoutDim] = only(aNm.findings, 'MSP102');
    assert.equal(withDim.fixes[0]?.applicability, 'safe');
    assert.ok(applyPreferred(nm, [withDim]).includes('m = ops.nanmedian(sst, axis=1, keepdims=True)'));
    assert.match(withoutDim.message, /median of all elements/);
    assert.equal(withoutDim.fixes[0]?.applicability, 'unsafe');
    assert.deepEqual(only(analyze(nm, MSP1).findings, 'MSP105').map((f) => /\(CPU only\)/.test(f.message)), [true, true], 'on Ascend: where it runs');
    // inplace=True cannot simply go
    const selu = single(analyze('import torch.nn as nn\na = nn.SELU(inplace=True)\n', MSP1).findings, 'MSP102');
    assert.match(selu.message, /`mindspore\.mint\.nn\.SELU`: `inplace` does not exist/);
    assert.equal(selu.fixes[0]?.applicability, 'unsafe');
    // 2.7-only twins: too new for 2.6, a rename (and MSP104 for device=) in 2.7
    const thr = 'import torch.nn.functional as F\nF.threshold_(h, 0.1, 0.0)\n';
    assert.match(single(analyze(thr, MSP1).findings, 'MSP103').message, /exists only from MindSpore 2\.7/);
    const thr27 = analyze(thr, { ...MSP1, mindsporeVersion: '2.7' });
    assert.equal(applyPreferred(thr, thr27.findings), 'import torch.nn.functional as F\nfrom mindspore import mint\nmint.nn.functional.threshold_(h, 0.1, 0.0)\n');
    const nf = 'import torch\nw = torch.ones(3)\ny = w.new_full((2, 3), 1.0, device="cuda")\n';
    const dev = single(analyze(nf, { ...MSP1, mindsporeVersion: '2.7' }).findings, 'MSP104');
    assert.match(dev.message, /^`device=` is not supported by `mindspore\.Tensor\.new_full`/);
    assert.equal(applyPreferred(nf, [dev]), 'import torch\nw = torch.ones(3)\ny = w.new_full((2, 3), 1.0)\n');
  });

  test('the last same-named twins compared by hand: byte, dsplit, shifts and triangular_solve stay quiet, dim → axis is rewritten, rms_norm and diagonal_scatter say why not', () => {
    // the same methods (and properties) on a known tensor, by position and by keyword: nothing to say
    const same =
      'import torch\nx = torch.zeros(2)\nb = x.byte()\nn = x.nbytes\ns = x.itemsize\np = x.dsplit(2)\nq = x.adjoint()\nl = x.bitwise_left_shift(1)\nr = x.bitwise_right_shift(other=1)\nu, _ = x.triangular_solve(A, upper=False)\n';
    assert.deepEqual(analyze(same, MSP1).findings.filter((f) => String(f.data?.torchApi).startsWith('torch.Tensor.')).map((f) => f.message), []);
    // dim → axis (by position and by keyword), input → x, plain renames, mint.triangular_solve
    const src6 =
      'import torch\nx = torch.zeros(2)\ny = torch.select_scatter(a, b, 0, 1)\nz = torch.slice_scatter(a, b, dim=1, start=0, end=5, step=2)\nm = torch.adjoint(a)\nq = torch.dsplit(a, 2)\nl = torch.bitwise_left_shift(a, 2)\nX, _ = torch.triangular_solve(b, A, upper=False)\nw = x.select_scatter(b, 0, 0)\nv = x.slice_scatter(b, dim=1, start=2)\n';
    const a6 = analyze(src6, MSP1);
    assert.equal(single(a6.findings, 'MSP102', 'torch.select_scatter').message, '`torch.select_scatter` → `mindspore.ops.select_scatter`: `dim` is called `axis`');
    assert.equal(single(a6.findings, 'MSP102', 'torch.Tensor.slice_scatter').fixes[0]?.applicability, 'safe');
    assert.equal(single(a6.findings, 'MSP101', 'torch.triangular_solve').fixes[0]?.applicability, 'safe');
    assert.equal(
      applyPreferred(src6, a6.findings),
      'import torch\nfrom mindspore import mint\nfrom mindspore import ops\nx = mint.zeros(2)\ny = ops.select_scatter(a, b, axis=0, index=1)\nz = ops.slice_scatter(a, b, axis=1, start=0, end=5, step=2)\n' +
        'm = ops.adjoint(x=a)\nq = ops.dsplit(a, 2)\nl = ops.bitwise_left_shift(a, 2)\nX, _ = mint.triangular_solve(b, A, upper=False)\nw = x.select_scatter(b, axis=0, index=0)\nv = x.slice_scatter(b, axis=1, start=2)\n',
    );
    assert.match(single(analyze('import torch\nX, _ = torch.triangular_solve(b, A)\n', { ...MSP1, mindsporeVersion: '2.5' }).findings, 'MSP103').message, /exists only from MindSpore 2\.6/);
    // rms_norm: a tuple back, gamma required, no normalized_shape, another eps default; rewritten but never safely
    const rms = 'import torch.nn.functional as F\nl = F.rms_norm(h, (64,), w, 1e-6)\nk = F.rms_norm(h, [d], weight=g)\n';
    const [r1, r2] = only(analyze(rms, MSP1).findings, 'MSP102');
    assert.match(r1.message, /^`torch\.nn\.functional\.rms_norm` → `mindspore\.ops\.rms_norm`: returns a tuple \(normalized, rstd\): take \[0\].*`normalized_shape` does not exist; `weight` is called `gamma`; `eps` is called `epsilon`$/);
    assert.match(r2.message, /`eps` defaults to `1e-6`: torch's None means the machine epsilon/);
    assert.ok([r1, r2].every((f) => f.fixes[0]?.applicability === 'unsafe'));
    assert.equal(applyPreferred(rms, [r1, r2]), 'import torch.nn.functional as F\nfrom mindspore import ops\nl = ops.rms_norm(x=h, gamma=w, epsilon=1e-6)\nk = ops.rms_norm(x=h, gamma=g)\n');
    // diagonal_scatter: the same arguments, but no inf values in MindSpore (function and method)
    const diag = analyze('import torch\nx = torch.zeros(3, 3)\nd = torch.diagonal_scatter(x, s, 1)\ne = x.diagonal_scatter(s, offset=-1)\n', MSP1);
    const d1 = single(diag.findings, 'MSP102', 'torch.diagonal_scatter');
    const d2 = single(diag.findings, 'MSP102', 'torch.Tensor.diagonal_scatter');
    assert.match(d1.message, /^`torch\.diagonal_scatter` → `mindspore\.ops\.diagonal_scatter`: .*must not contain inf values/);
    assert.match(d2.message, /^`torch\.Tensor\.diagonal_scatter` → `mindspore\.Tensor\.diagonal_scatter`: .*must not contain inf values/);
    assert.ok(![d1, d2].some((f) => f.fixes.some((x) => x.applicability === 'safe')));
    // byte(memory_format=...) is MSP104; fractional max pooling runs on GPU/CPU only
    const byte = single(analyze('import torch\nx = torch.zeros(2)\nb = x.byte(memory_format=torch.contiguous_format)\n', MSP1).findings, 'MSP104');
    assert.equal(byte.message, '`memory_format=` is not supported by `mindspore.Tensor.byte`: MindSpore tensors have no memory format');
    const pool = 'import torch.nn as nn\nimport torch.nn.functional as F\np = nn.FractionalMaxPool3d(3, output_ratio=0.5)\nq = F.fractional_max_pool3d(x, 2, output_size=4)\n';
    assert.deepEqual(only(analyze(pool, MSP1).findings, 'MSP105').map((f) => /\(GPU\/CPU only\)/.test(f.message)), [true, true]);
    assert.equal(
      applyPreferred(pool, analyze(pool, { ...MSP1, device: 'GPU' }).findings),
      'import torch.nn as nn\nimport torch.nn.functional as F\nimport mindspore as ms\nfrom mindspore import ops\np = ms.nn.FractionalMaxPool3d(3, output_ratio=0.5)\nq = ops.fractional_max_pool3d(x, 2, output_size=4)\n',
    );
  });

  test('a twin that runs only elsewhere is MSP105 with where it runs, not "no MindSpore equivalent"', () => {
    // torch.digamma's only twin, ops.digamma, runs on GPU and CPU
    const src2 = 'import torch\ny = torch.digamma(x)\n';
    const onAscend = analyze(src2, MSP1).findings;
    assert.equal(only(onAscend, 'MSP103').length, 0);
    assert.equal(
      single(onAscend, 'MSP105').message,
      '`mindspore.ops.digamma` does not run on Ascend in MindSpore 2.6 (GPU/CPU only): compose it from operators that run on Ascend, or compute it on the host (NumPy/SciPy) if it is not on the training path',
    );
    assert.equal(single(analyze(src2, { ...MSP1, device: 'GPU' }).findings, 'MSP101').data?.msApi, 'mindspore.ops.digamma');
  });

  test('the ready-to-port count follows the device', () => {
    assert.equal(analyze(src, { targetApi: 'mint', device: 'GPU' }).stats.ready, 0);
    assert.equal(analyze(src, { device: 'GPU' }).stats.ready, 1);
  });
});

describe('MSP104 unsupported arguments on factories', () => {
  const cases: [string, string, string, 'safe' | 'unsafe', string][] = [
    // [call, argument named, message part, applicability, code after the MSP104 fix alone]
    ["torch.zeros(2, 3, device='cuda')", 'device', 'placement is global', 'safe', 'torch.zeros(2, 3)'],
    ['torch.zeros((2, 3), device=dev)', 'device', 'placement is global', 'safe', 'torch.zeros((2, 3))'],
    ['torch.zeros(size=(2, 3), device=None, dtype=torch.float32)', 'device', 'placement is global', 'safe', 'torch.zeros(size=(2, 3), dtype=torch.float32)'],
    ['torch.ones(2, out=buf)', 'out', 'use the return value', 'unsafe', 'torch.ones(2)'],
    ['torch.ones(2, out=None)', 'out', 'use the return value', 'safe', 'torch.ones(2)'],
    ['torch.randn(2, 3, requires_grad=True)', 'requires_grad', 'only Parameters carry requires_grad', 'unsafe', 'torch.randn(2, 3)'],
    ['torch.randn(2, 3, requires_grad=False)', 'requires_grad', 'only Parameters carry requires_grad', 'safe', 'torch.randn(2, 3)'],
    ['torch.randn(requires_grad=True, size=(2, 3))', 'requires_grad', 'only Parameters carry requires_grad', 'unsafe', 'torch.randn(size=(2, 3))'],
    ['torch.full((2,), 1.0, pin_memory=True)', 'pin_memory', '', 'safe', 'torch.full((2,), 1.0)'],
    ["torch.tensor([1, 2], device='cuda:0')", 'device', 'placement is global', 'safe', 'torch.tensor([1, 2])'],
  ];
  for (const [call, arg, why, applicability, after] of cases) {
    test(call, () => {
      const src = `import torch\ny = ${call}\n`;
      const a = analyze(src, MSP1);
      const f = single(a.findings, 'MSP104');
      assert.equal(f.severity, 'warning');
      assert.match(f.message, new RegExp(`^\`${arg}=\` is not supported by \`mindspore(\\.\\w+)+\`: .*${why}`));
      assert.equal(f.fixes[0].applicability, applicability);
      assert.equal(src.slice(f.start, f.end).startsWith(`${arg}=`), true, 'the range covers the argument');
      const out = applyPreferred(src, [f]);
      assert.equal(out, `import torch\ny = ${after}\n`);
      assert.equal(countSyntaxErrors(out), 0);
    });
  }

  test('MSP104 and the rename combine: the whole call is ported by the preferred fixes', () => {
    const src = "import torch\ny = torch.zeros(2, 3, device='cuda')\n";
    const a = analyze(src, MSP1);
    assert.equal(applyPreferred(src, a.findings), 'import torch\nfrom mindspore import mint\ny = mint.zeros((2, 3))\n');
  });

  test('generally unsupported keywords are reported also for APIs that do not list them', () => {
    const src = 'import torch\ny = torch.abs(x, out=z)\n';
    const f = single(analyze(src, MSP1).findings, 'MSP104');
    assert.match(f.message, /^`out=` is not supported by `mindspore\.mint\.abs`/);
    assert.equal(f.fixes[0].applicability, 'unsafe');
  });
});

describe("MSP104 legacy size_average= / reduce= become the reduction= torch maps them to", () => {
  const cases: [string, string | undefined][] = [
    // [call, the call after every safe fix (undefined: the rename is not safe, nothing is rewritten)]
    ['nn.BCEWithLogitsLoss(size_average=False)', 'mint.nn.BCEWithLogitsLoss(reduction="sum")'],
    ['nn.BCEWithLogitsLoss(reduce=False, pos_weight=w)', 'mint.nn.BCEWithLogitsLoss(reduction="none", pos_weight=w)'],
    ['nn.BCEWithLogitsLoss(pos_weight=w, reduce=False, size_average=True)', 'mint.nn.BCEWithLogitsLoss(pos_weight=w, reduction="none")'],
    ['nn.BCEWithLogitsLoss(size_average=True, reduce=None)', 'mint.nn.BCEWithLogitsLoss(reduction="mean")'],
    ['F.mse_loss(a, b, size_average=False, reduce=True)', 'mint.nn.functional.mse_loss(a, b, reduction="sum")'],
    ['F.mse_loss(a, b, reduce=True, size_average=False)', 'mint.nn.functional.mse_loss(a, b, reduction="sum")'],
    // by position: the first becomes reduction= when no positional argument would follow it
    ['nn.MSELoss(True, False)', 'mint.nn.MSELoss(reduction="none")'],
    ['nn.MSELoss(False)', 'mint.nn.MSELoss(reduction="sum")'],
    ['nn.CrossEntropyLoss(w, True)', 'mint.nn.CrossEntropyLoss(w, reduction="mean")'],
    ['F.mse_loss(a, b, None, False)', 'mint.nn.functional.mse_loss(a, b, reduction="none")'],
    // not literal, or reduction= passed too (torch lets the legacy arguments win), or a positional argument after
    // them (removing one would hand its place to the next): left to the user
    ['nn.BCEWithLogitsLoss(size_average=avg)', undefined],
    ['nn.BCEWithLogitsLoss(size_average=False, reduction="mean")', undefined],
    ['nn.MSELoss(avg)', undefined],
    ['nn.CrossEntropyLoss(w, False, -100)', undefined],
    ['nn.MSELoss(True, False, "sum")', undefined],
  ];
  for (const [call, after] of cases) {
    test(call, () => {
      const src = `import torch.nn as nn\nimport torch.nn.functional as F\nloss = ${call}\n`;
      const a = analyze(src, MSP1);
      const legacy = only(a.findings, 'MSP104');
      assert.ok(legacy.length >= 1, 'the legacy argument is reported');
      const r = fixAll(src, settings(MSP1), realDb());
      if (after === undefined) {
        assert.ok(legacy.every((f) => f.fixes.every((x) => x.applicability === 'unsafe')));
        assert.equal(r.text.includes(`loss = ${call}`), true, `a safe fix changed ${call}: ${r.text}`);
      } else {
        assert.ok(legacy.every((f) => f.fixes[0].applicability === 'safe' && /reduction="(mean|sum|none)"/.test(f.fixes[0].title)));
        assert.match(r.text, new RegExp(`loss = ${after.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
        assert.equal(countSyntaxErrors(r.text), 0);
      }
    });
  }
});

describe('argument rewrites, five calling styles each (PaConvert style)', () => {
  type Api = RewriteApi;
  const CLASSIC_CPU: Partial<Settings> = { targetApi: 'classic', device: 'CPU' };
  const apis: Api[] = [
    {
      name: 'torch.nn.Linear → mindspore.nn.Dense (Dense takes weight_init third: positionals become keywords)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nimport torch.nn as nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.Linear(3, 4, False)', 'ms.nn.Dense(in_channels=3, out_channels=4, has_bias=False)', 'safe'],
        ['torch.nn.Linear(in_features=3, out_features=4, bias=False)', 'ms.nn.Dense(in_channels=3, out_channels=4, has_bias=False)', 'safe'],
        ['torch.nn.Linear(bias=True, out_features=4, in_features=3)', 'ms.nn.Dense(has_bias=True, out_channels=4, in_channels=3)', 'safe'],
        ['torch.nn.Linear(3, 4)', 'ms.nn.Dense(in_channels=3, out_channels=4)', 'safe'],
        ['nn.Linear(3, out_features=4)', 'ms.nn.Dense(in_channels=3, out_channels=4)', 'safe'],
      ],
    },
    {
      name: 'torch.nn.LayerNorm → mindspore.nn.LayerNorm (eps renamed with a new default, elementwise_affine dropped)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nfrom torch import nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.LayerNorm(8, 1e-5, True)', 'ms.nn.LayerNorm(normalized_shape=8, epsilon=1e-5)', 'unsafe'],
        ['torch.nn.LayerNorm(normalized_shape=8, eps=1e-6, elementwise_affine=True)', 'ms.nn.LayerNorm(normalized_shape=8, epsilon=1e-6)', 'unsafe'],
        ['torch.nn.LayerNorm(eps=1e-6, normalized_shape=[4, 8])', 'ms.nn.LayerNorm(epsilon=1e-6, normalized_shape=[4, 8])', 'unsafe'],
        ['torch.nn.LayerNorm(8)', 'ms.nn.LayerNorm(normalized_shape=8, epsilon=1e-05)', 'unsafe'],
        ['nn.LayerNorm(8, eps=1e-6)', 'ms.nn.LayerNorm(normalized_shape=8, epsilon=1e-6)', 'unsafe'],
      ],
    },
    {
      name: 'torch.nn.Dropout → mindspore.nn.Dropout (p by keyword: the first parameter is keep_prob; inplace dropped)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nimport torch.nn as nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.Dropout(0.1, False)', 'ms.nn.Dropout(p=0.1)', 'unsafe'],
        ['torch.nn.Dropout(p=0.1, inplace=False)', 'ms.nn.Dropout(p=0.1)', 'unsafe'],
        ['torch.nn.Dropout(inplace=True, p=0.3)', 'ms.nn.Dropout(p=0.3)', 'unsafe'],
        ['torch.nn.Dropout()', 'ms.nn.Dropout()', 'safe'],
        ['nn.Dropout(0.2)', 'ms.nn.Dropout(p=0.2)', 'unsafe'],
      ],
    },
    {
      name: "torch.nn.MaxPool2d → mindspore.nn.MaxPool2d (torch's stride defaults to kernel_size, MindSpore's to 1: written out)",
      settings: {},
      imports: 'import torch\nimport torch.nn as nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.MaxPool2d(2)', 'ms.nn.MaxPool2d(2, stride=2)', 'safe'],
        ['torch.nn.MaxPool2d(kernel_size=(2, 2))', 'ms.nn.MaxPool2d(kernel_size=(2, 2), stride=(2, 2))', 'safe'],
        // MindSpore takes padding only with pad_mode='pad'
        ['torch.nn.MaxPool2d(3, 2, 1)', "ms.nn.MaxPool2d(3, stride=2, padding=1, pad_mode='pad')", 'safe'],
        ['torch.nn.MaxPool2d(ceil_mode=True, kernel_size=self.k)', 'ms.nn.MaxPool2d(ceil_mode=True, kernel_size=self.k, stride=self.k)', 'safe'],
        // a call would run twice: said, not written
        ['nn.MaxPool2d(pool_size())', 'ms.nn.MaxPool2d(pool_size())', 'unsafe'],
        // None, also in parentheses, is the kernel size in torch; a value that may be None is said
        ['nn.MaxPool2d(2, stride=(None))', 'ms.nn.MaxPool2d(2, stride=2)', 'safe'],
        ['nn.MaxPool2d(k, s if s else None)', 'ms.nn.MaxPool2d(k, stride=s if s else None)', 'unsafe'],
      ],
    },
    {
      name: 'torch.nn.functional.avg_pool2d → mindspore.ops.avg_pool2d (stride as for the layers; the input comes first)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nimport torch.nn.functional as F',
      added: 'from mindspore import ops',
      calls: [
        ['torch.nn.functional.avg_pool2d(x, 2)', 'ops.avg_pool2d(input_x=x, kernel_size=2, stride=2)', 'safe'],
        ['torch.nn.functional.avg_pool2d(input=x, kernel_size=k, stride=1)', 'ops.avg_pool2d(input_x=x, kernel_size=k, stride=1)', 'safe'],
        ['torch.nn.functional.avg_pool2d(kernel_size=-k, input=x)', 'ops.avg_pool2d(kernel_size=-k, input_x=x, stride=-k)', 'safe'],
        // torch reads stride=None as the kernel size too
        ['torch.nn.functional.avg_pool2d(x, [2, 3], None)', 'ops.avg_pool2d(input_x=x, kernel_size=[2, 3], stride=[2, 3])', 'safe'],
        ['F.avg_pool2d(x, kernel_size=2)', 'ops.avg_pool2d(input_x=x, kernel_size=2, stride=2)', 'safe'],
      ],
    },
    {
      name: "torch.arange → mindspore.mint.arange (torch's end is required, so MindSpore's default for it never applies)",
      settings: {},
      imports: 'import torch',
      added: 'from mindspore import mint',
      calls: [
        ['torch.arange(5)', 'mint.arange(5)', 'safe'],
        ['torch.arange(0, 5, 2)', 'mint.arange(0, 5, 2)', 'safe'],
        ['torch.arange(start=1, end=n, step=2)', 'mint.arange(start=1, end=n, step=2)', 'safe'],
        ['torch.arange(end=n)', 'mint.arange(end=n)', 'safe'],
        ['torch.arange(1, n)', 'mint.arange(1, n)', 'safe'],
      ],
    },
    {
      name: "torch.meshgrid → mindspore.mint.meshgrid (torch's 'ij' indexing is passed; *tensors takes the positions)",
      settings: {},
      imports: 'import torch',
      added: 'from mindspore import mint',
      calls: [
        ['torch.meshgrid(x, y)', "mint.meshgrid(x, y, indexing='ij')", 'safe'],
        ['torch.meshgrid([x, y])', "mint.meshgrid([x, y], indexing='ij')", 'safe'],
        ['torch.meshgrid(x, y, indexing="xy")', 'mint.meshgrid(x, y, indexing="xy")', 'safe'],
        ['torch.meshgrid(indexing="ij", *grids)', 'mint.meshgrid(indexing="ij", *grids)', 'safe'],
        ['torch.meshgrid(*grids)', 'mint.meshgrid(*grids)', 'unsafe'],
      ],
    },
    {
      name: "torch.meshgrid → mindspore.ops.meshgrid (classic: its default is 'xy', torch's 'ij')",
      settings: CLASSIC_CPU,
      imports: 'import torch',
      added: 'from mindspore import ops',
      calls: [
        ['torch.meshgrid(x, y)', "ops.meshgrid(x, y, indexing='ij')", 'safe'],
        ['torch.meshgrid([x, y])', "ops.meshgrid([x, y], indexing='ij')", 'safe'],
        ['torch.meshgrid(x, y, indexing="xy")', 'ops.meshgrid(x, y, indexing="xy")', 'safe'],
        ['torch.meshgrid(x, indexing="ij")', 'ops.meshgrid(x, indexing="ij")', 'safe'],
        ['torch.meshgrid(*grids)', 'ops.meshgrid(*grids)', 'unsafe'],
      ],
    },
    {
      name: "torch.nn.ConvTranspose1d → mindspore.nn.Conv1dTranspose (pad_mode='pad', torch's bias=True, padding on by keyword)",
      settings: CLASSIC_CPU,
      imports: 'import torch\nimport torch.nn as nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.ConvTranspose1d(4, 8, 3)', "ms.nn.Conv1dTranspose(4, 8, 3, has_bias=True, pad_mode='pad')", 'safe'],
        ['torch.nn.ConvTranspose1d(4, 8, 3, 2, 1)', "ms.nn.Conv1dTranspose(4, 8, 3, 2, padding=1, has_bias=True, pad_mode='pad')", 'safe'],
        ['torch.nn.ConvTranspose1d(in_channels=4, out_channels=8, kernel_size=3, bias=False)', "ms.nn.Conv1dTranspose(in_channels=4, out_channels=8, kernel_size=3, has_bias=False, pad_mode='pad')", 'safe'],
        ['torch.nn.ConvTranspose1d(4, 8, 3, groups=2, stride=2)', "ms.nn.Conv1dTranspose(4, 8, 3, group=2, stride=2, has_bias=True, pad_mode='pad')", 'safe'],
        ['nn.ConvTranspose1d(4, 8, 3, output_padding=1)', "ms.nn.Conv1dTranspose(4, 8, 3, has_bias=True, pad_mode='pad')", 'unsafe'],
      ],
    },
    {
      name: "torch.amax → mindspore.mint.amax (torch's dim=() reduces every dimension: passed when omitted)",
      settings: {},
      imports: 'import torch',
      added: 'from mindspore import mint',
      calls: [
        ['torch.amax(x)', 'mint.amax(x, dim=())', 'safe'],
        ['torch.amax(x, 1)', 'mint.amax(x, dim=1)', 'safe'],
        ['torch.amax(x, dim=(1, 2), keepdim=True)', 'mint.amax(x, dim=(1, 2), keepdim=True)', 'safe'],
        ['torch.amax(keepdim=True, input=x, dim=-1)', 'mint.amax(keepdim=True, input=x, dim=-1)', 'safe'],
        ['torch.amax(x, -1, True)', 'mint.amax(x, dim=-1, keepdim=True)', 'safe'],
      ],
    },
    {
      name: 'torch.nn.functional.dropout → mindspore.ops.dropout (inplace dropped)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nimport torch.nn.functional as F',
      added: 'from mindspore import ops',
      calls: [
        ['torch.nn.functional.dropout(x, 0.1, True, False)', 'ops.dropout(x, 0.1, True)', 'safe'],
        ['torch.nn.functional.dropout(input=x, p=0.1, training=True, inplace=False)', 'ops.dropout(input=x, p=0.1, training=True)', 'safe'],
        ['torch.nn.functional.dropout(inplace=False, training=False, p=0.5, input=x)', 'ops.dropout(training=False, p=0.5, input=x)', 'safe'],
        ['torch.nn.functional.dropout(x)', 'ops.dropout(x)', 'safe'],
        ['F.dropout(x, p=0.1, inplace=True)', 'ops.dropout(x, p=0.1)', 'unsafe'],
      ],
    },
    {
      name: 'torch.cat → mindspore.ops.cat (dim renamed axis)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nfrom torch import cat as concat',
      added: 'from mindspore import ops',
      calls: [
        ['torch.cat([a, b], 1)', 'ops.cat(tensors=[a, b], axis=1)', 'unsafe'],
        ['torch.cat(tensors=[a, b], dim=1)', 'ops.cat(tensors=[a, b], axis=1)', 'unsafe'],
        ['torch.cat(dim=-1, tensors=(a, b))', 'ops.cat(axis=-1, tensors=(a, b))', 'unsafe'],
        ['torch.cat([a, b])', 'ops.cat(tensors=[a, b])', 'unsafe'],
        ['concat((a, b), -1)', 'ops.cat(tensors=(a, b), axis=-1)', 'unsafe'],
      ],
    },
    {
      name: 'torch.amax → mindspore.ops.amax (input, dim, keepdim renamed)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nfrom torch import amax',
      added: 'from mindspore import ops',
      calls: [
        // torch's signature is known: positions map to names, passed by MindSpore's
        ['torch.amax(x, 1, True)', 'ops.amax(x=x, axis=1, keepdims=True)', 'safe'],
        ['torch.amax(input=x, dim=1, keepdim=True)', 'ops.amax(x=x, axis=1, keepdims=True)', 'safe'],
        ['torch.amax(keepdim=False, dim=(0, 1), input=x)', 'ops.amax(keepdims=False, axis=(0, 1), x=x)', 'safe'],
        ['torch.amax(x, dim=1)', 'ops.amax(x=x, axis=1)', 'safe'],
        ['amax(x, dim=-1, keepdim=True)', 'ops.amax(x=x, axis=-1, keepdims=True)', 'safe'],
      ],
    },
    {
      name: 'torch.nn.functional.gelu on GPU → mindspore.ops.gelu (input renamed input_x)',
      settings: { device: 'GPU' },
      imports: 'import torch\nimport torch.nn.functional as F',
      added: 'from mindspore import ops',
      calls: [
        ["torch.nn.functional.gelu(x, 'tanh')", "ops.gelu(input_x=x, approximate='tanh')", 'safe'],
        ["torch.nn.functional.gelu(input=x, approximate='tanh')", "ops.gelu(input_x=x, approximate='tanh')", 'safe'],
        ["torch.nn.functional.gelu(approximate='none', input=x)", "ops.gelu(approximate='none', input_x=x)", 'safe'],
        ['torch.nn.functional.gelu(x)', 'ops.gelu(input_x=x)', 'safe'],
        ['F.gelu(x)', 'ops.gelu(input_x=x)', 'safe'],
      ],
    },
    {
      name: 'torch.nn.functional.interpolate on Ascend → mindspore.mint.nn.functional.interpolate (antialias dropped)',
      settings: {},
      imports: 'import torch\nimport torch.nn.functional as F',
      added: 'from mindspore import mint',
      calls: [
        ["torch.nn.functional.interpolate(x, None, 2.0, 'nearest', None, None, False)", "mint.nn.functional.interpolate(x, None, 2.0, 'nearest', None, None)", 'safe'],
        ["torch.nn.functional.interpolate(input=x, scale_factor=2.0, mode='bilinear', align_corners=False, antialias=False)", "mint.nn.functional.interpolate(input=x, scale_factor=2.0, mode='bilinear', align_corners=False)", 'safe'],
        ["torch.nn.functional.interpolate(antialias=False, mode='nearest', size=(4, 4), input=x)", "mint.nn.functional.interpolate(mode='nearest', size=(4, 4), input=x)", 'safe'],
        ['torch.nn.functional.interpolate(x, size=(4, 4))', 'mint.nn.functional.interpolate(x, size=(4, 4))', 'safe'],
        ['F.interpolate(x, scale_factor=2, antialias=True)', 'mint.nn.functional.interpolate(x, scale_factor=2)', 'unsafe'],
      ],
    },
    {
      name: 'torch.optim.lr_scheduler.CosineAnnealingLR → mindspore.experimental (verbose dropped)',
      settings: {},
      imports: 'import torch\nfrom torch.optim import lr_scheduler',
      added: 'import mindspore as ms',
      calls: [
        ['torch.optim.lr_scheduler.CosineAnnealingLR(opt, 10, 0, -1, False)', 'ms.experimental.optim.lr_scheduler.CosineAnnealingLR(opt, 10, 0, -1)', 'safe'],
        ['torch.optim.lr_scheduler.CosineAnnealingLR(optimizer=opt, T_max=10, eta_min=0, last_epoch=-1, verbose=False)', 'ms.experimental.optim.lr_scheduler.CosineAnnealingLR(optimizer=opt, T_max=10, eta_min=0, last_epoch=-1)', 'safe'],
        ['torch.optim.lr_scheduler.CosineAnnealingLR(verbose=False, T_max=10, optimizer=opt)', 'ms.experimental.optim.lr_scheduler.CosineAnnealingLR(T_max=10, optimizer=opt)', 'safe'],
        ['torch.optim.lr_scheduler.CosineAnnealingLR(opt, 10)', 'ms.experimental.optim.lr_scheduler.CosineAnnealingLR(opt, 10)', 'safe'],
        ['lr_scheduler.CosineAnnealingLR(opt, T_max=10, verbose=True)', 'ms.experimental.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)', 'unsafe'],
      ],
    },
    {
      name: 'torch.nn.MultiheadAttention → mindspore.nn.MultiheadAttention (bias renamed has_bias)',
      settings: { targetApi: 'classic' },
      imports: 'import torch\nimport torch.nn as nn',
      added: 'import mindspore as ms',
      calls: [
        ['torch.nn.MultiheadAttention(16, 4, 0.0, True)', 'ms.nn.MultiheadAttention(16, 4, 0.0, has_bias=True)', 'unsafe'],
        ['torch.nn.MultiheadAttention(embed_dim=16, num_heads=4, dropout=0.1, bias=False)', 'ms.nn.MultiheadAttention(embed_dim=16, num_heads=4, dropout=0.1, has_bias=False)', 'unsafe'],
        ['torch.nn.MultiheadAttention(bias=False, num_heads=4, embed_dim=16)', 'ms.nn.MultiheadAttention(has_bias=False, num_heads=4, embed_dim=16)', 'unsafe'],
        ['torch.nn.MultiheadAttention(16, 4)', 'ms.nn.MultiheadAttention(16, 4)', 'unsafe'],
        ['nn.MultiheadAttention(16, num_heads=4, bias=True)', 'ms.nn.MultiheadAttention(16, num_heads=4, has_bias=True)', 'unsafe'],
      ],
    },
    {
      name: 'torch.linspace → mindspore.ops.linspace (dtype dropped)',
      settings: CLASSIC_CPU,
      imports: 'import torch\nfrom torch import linspace as ls',
      added: 'from mindspore import ops',
      calls: [
        ['torch.linspace(0, 1, 5)', 'ops.linspace(start=0, end=1, steps=5)', 'unsafe'],
        ['torch.linspace(start=0, end=1, steps=5, dtype=torch.float32)', 'ops.linspace(start=0, end=1, steps=5)', 'unsafe'],
        ['torch.linspace(steps=5, end=1.0, start=0.0)', 'ops.linspace(steps=5, end=1.0, start=0.0)', 'unsafe'],
        ['torch.linspace(0, 1, steps=5)', 'ops.linspace(start=0, end=1, steps=5)', 'unsafe'],
        ['ls(-1, 1, 9, dtype=torch.float32)', 'ops.linspace(start=-1, end=1, steps=9)', 'unsafe'],
      ],
    },
  ];
  describeRewrites(apis);

  test('a *args call cannot be re-keyworded: the fix is unsafe and says why', () => {
    const src = 'import torch\ny = torch.nn.Linear(*dims, False)\n';
    const f = single(analyze(src, { ...MSP1, ...CLASSIC_CPU }).findings, 'MSP102');
    assert.equal(f.fixes[0].applicability, 'unsafe');
    assert.match(f.message, /pass them by keyword/);
  });
});

describe('fixAll', () => {
  test('a block two fixes would empty (two .cuda() statements) ends as pass, not as a block Python refuses', () => {
    const src = 'import torch\n\nclass N:\n    def cuda(self):\n        self.mean = self.mean.cuda()\n        self.std = self.std.cuda()\n\n    def cpu(self):\n        return self\n';
    const res = fixAll(src, settings(), realDb());
    assert.match(res.text, /    def cuda\(self\):\n        pass\n\n    def cpu/);
    assert.equal(countSyntaxErrors(res.text), 0);
    assert.equal(res.refused, undefined);
    assert.equal(res.applied.get('MSP205'), 2);
  });

  test('a pass whose every fix would break the syntax applies none and says so', () => {
    const src = 'if a:\n    b = 1\n';
    const finding = { code: 'MSP205', message: 'm', severity: 'warning' as const, start: 10, end: 15, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 9 } }, fixes: [{ title: 'delete', applicability: 'safe' as const, edits: [{ start: 6, end: 16, newText: '' }] }] };
    const res = fixAll(src, settings(), realDb(), { findings: [finding] });
    assert.equal(res.text, src);
    assert.match(res.refused ?? '', /would have broken the syntax/);
  });

  test('tree-sitter parses an empty block without an error; MindPort counts it as one', () => {
    assert.equal(countSyntaxErrors('if ok:\nx = 1\n'), 1);
    assert.equal(countSyntaxErrors('def f():\n    # only a comment\n\ndef g():\n    pass\n'), 1);
    assert.equal(countSyntaxErrors('if ok: pass\nif ok:\n    x = 1\n'), 0);
  });

  test('import lines a pass adds stay together, before a helper inserted at the same place', () => {
    const src = [
      'import torch',
      'import torch.nn as nn',
      '',
      'def spectrum(x):',
      '    return torch.fft.rfft2(x)',
      '',
      'def init(w):',
      '    nn.init.normal_(w, std=0.02)',
      '',
    ].join('\n');
    const out = fixAll(src, settings(), realDb(), { unsafe: true }).text;
    const lines = out.split('\n');
    const helper = lines.findIndex((l) => l.startsWith('# mindport: DFT helper'));
    assert.ok(helper > 0, out);
    // the file's imports, the ones the fixes added, a blank line, then the helper
    assert.deepEqual(lines.slice(0, helper), [
      'import torch',
      'import torch.nn as nn',
      'from mindspore.common.initializer import initializer',
      'from mindspore.common.initializer import Normal',
      '',
    ]);
    assert.equal(countSyntaxErrors(out), 0);
  });

  const src = `import torch
import torch.nn.functional as F

def f(x):
    y = torch.abs(x)
    z = torch.zeros(2, 3, requires_grad=True)
    return F.gelu(y) + z
`;
  test('safe fixes only by default; unsafe ones on request; the result parses', () => {
    const safe = fixAll(src, settings(MSP1), realDb());
    assert.equal(
      safe.text,
      `import torch
import torch.nn.functional as F
from mindspore import mint

def f(x):
    y = mint.abs(x)
    z = torch.zeros(2, 3, requires_grad=True)
    return mint.nn.functional.gelu(y) + z
`,
      // mint.zeros takes no requires_grad=: renaming alone would leave a call that fails, so it is not safe
    );
    assert.equal(safe.applied.get('MSP104'), undefined);
    const all = fixAll(src, settings(MSP1), realDb(), { unsafe: true });
    assert.match(all.text, /z = mint\.zeros\(\(2, 3\)\)\n/);
    assert.equal(all.applied.get('MSP104'), 1);
    assert.equal(countSyntaxErrors(all.text), 0);
    assert.equal(all.refused, undefined);
  });

  test("given the text's findings (the editor's last analysis), the same result", () => {
    for (const unsafe of [false, true]) {
      const findings = analyzeText(src, settings(MSP1), realDb()).findings;
      const given = fixAll(src, settings(MSP1), realDb(), { unsafe, findings });
      const alone = fixAll(src, settings(MSP1), realDb(), { unsafe });
      assert.notEqual(given.text, src);
      assert.equal(given.text, alone.text);
      assert.deepEqual(given.applied, alone.applied);
    }
  });

  test('running it again changes nothing', () => {
    const once = fixAll(src, settings(MSP1), realDb(), { unsafe: true }).text;
    assert.equal(fixAll(once, settings(MSP1), realDb(), { unsafe: true }).text, once);
  });
});

describe('fixAllCells (a notebook)', () => {
  const NB = { select: ['MSP1', 'MSP205'] };
  const cells = [
    'import torch\n%load_ext autoreload',
    '%%time\nx = 1',
    'y = torch.sin(x).cuda()\n!nvidia-smi\nz = torch.abs(y)\n  %time w = F.gelu(z)',
    'import torch.nn.functional as F\nq = torch.zeros(2, 3, requires_grad=True)',
  ];
  test('every pass over the joined cells, applied to the cells: magics come back as they were', () => {
    for (const unsafe of [false, true]) {
      const res = fixAllCells(cells, settings(NB), realDb(), { unsafe });
      // the same text fixAll makes of the joined cells, where the magics are comments
      assert.equal(joinCells(res.cells).text, fixAll(joinCells(cells).text, settings(NB), realDb(), { unsafe }).text);
      assert.equal(res.cells[0], 'import torch\nfrom mindspore import mint\n%load_ext autoreload');
      assert.equal(res.cells[1], cells[1]);
      // torch.sin and .cuda() overlap: two passes; the fixes on both sides of `!nvidia-smi` leave it alone
      assert.equal(res.cells[2], 'y = mint.sin(x)\n!nvidia-smi\nz = mint.abs(y)\n  %time w = F.gelu(z)');
      assert.equal(res.cells[3], unsafe ? 'import torch.nn.functional as F\nq = mint.zeros((2, 3))' : cells[3]);
      assert.equal(res.applied.get('MSP205'), 1);
      assert.equal(res.refused, undefined);
    }
  });

  test('a cell block two fixes would empty ends as pass, the other fixes of the pass applied', () => {
    const nb = ['import torch', 'if ok:\n    a = a.cuda()\n    b = b.cuda()\nc = torch.abs(a)'];
    const res = fixAllCells(nb, settings(NB), realDb());
    assert.equal(res.cells[1], 'if ok:\n    pass\nc = mint.abs(a)');
    assert.equal(res.refused, undefined);
  });

  test("given the joined cells' findings, the same result; again, nothing changes", () => {
    const findings = analyzeText(joinCells(cells).text, settings(NB), realDb()).findings;
    const given = fixAllCells(cells, settings(NB), realDb(), { findings });
    assert.deepEqual(given.cells, fixAllCells(cells, settings(NB), realDb()).cells);
    assert.deepEqual(fixAllCells(given.cells, settings(NB), realDb()).cells, given.cells);
  });
});
