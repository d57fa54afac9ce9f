import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { applyFixes } from '../../server/src/engine/edits';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines('import torch.nn as nn', 'class Net(nn.Module):', '    def forward(self, x):', '        return self.inner(x)', '    def twice(self, x):', '        return self.forward(self.forward(x))', 'class Sub(Net):', '    def forward(self, x):', '        return super().forward(x)');

test('Module subclass → Cell with construct (safe), MSP102 silent', () => {
  const f = findings(SRC, 'MSP401');
  assert.equal(f.length, 2);
  assert.ok(!all(SRC).some((x) => x.code === 'MSP102'));
  const r = fix(SRC, 'MSP401');
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /class Net\(ms\.nn\.Cell\):\n    def construct\(self, x\)/);
  assert.match(r.text, /return self\.construct\(self\.construct\(x\)\)/);
  const r2 = fix(SRC, 'MSP401', 1);
  assert.match(r2.text, /class Sub\(Net\):\n    def construct\(self, x\):\n        return super\(\)\.construct\(x\)/);
});

test('buffers or hooks make the fix unsafe; torch.nn.Module via from-import', () => {
  const src = lines('from torch.nn import Module', 'class B(Module):', '    def __init__(self):', '        super().__init__()', '        self.register_buffer("m", None)', '    def forward(self, x):', '        return x');
  assert.equal(fix(src, 'MSP401').applicability, 'unsafe');
});

test('a local class called Module is not flagged', () => {
  assert.equal(findings(lines('class Module:', '    pass', 'class A(Module):', '    def forward(self):', '        pass'), 'MSP401').length, 0);
});

test('a subclass that inherits forward is not reported again at its base’s forward', () => {
  const src = lines('import torch.nn as nn', 'class Base(nn.Module):', '    def forward(self, x):', '        return x', 'class Net(Base):', '    def extra(self):', '        return 1');
  const f = findings(src, 'MSP401');
  assert.deepEqual(f.map((x) => src.slice(x.start, x.end)), ['nn.Module'], 'one finding, at the base class: renaming Base’s forward renames Net’s');
  assert.match(fix(src, 'MSP401').text, /class Net\(Base\):\n    def extra/);
});

test('register_buffer: a Parameter that is not trained, or a plain attribute when not persistent (unsafe fixes that parse)', () => {
  const src = lines(
    'import torch',
    'import torch.nn as nn',
    'class Net(nn.Module):',
    '    def __init__(self, n):',
    '        super().__init__()',
    '        self.register_buffer("mask", torch.ones(n))',
    "        self.register_buffer('idx', torch.arange(n), persistent=False)",
    '        self.register_buffer(f"w{n}", torch.zeros(n))',
    '        ok = self.register_buffer("x", None)',
    '    def forward(self, x):',
    '        return x * self.mask',
  );
  const all = findings(src, 'MSP401');
  const at = all.flatMap((x, i) => (/register_buffer/.test(x.message) ? [i] : []));
  const f = at.map((i) => all[i]);
  assert.equal(f.length, 4);
  assert.deepEqual(f.map((x) => x.fixes.length), [1, 1, 1, 0], 'no fix for a call inside an expression');
  assert.ok(f.every((x) => x.fixes.every((y) => y.applicability === 'unsafe')));
  const first = fix(src, 'MSP401', at[0]);
  assert.match(first.text, /^        self\.mask = ms\.Parameter\(torch\.ones\(n\), requires_grad=False\)$/m);
  assert.match(first.text, /^import mindspore as ms$/m);
  const second = fix(src, 'MSP401', at[1]);
  assert.match(second.text, /^        self\.idx = torch\.arange\(n\)$/m);
  // a name built at run time is set with setattr; another Cell's buffer on that Cell
  assert.match(fix(src, 'MSP401', at[2]).text, /^        setattr\(self, f"w\{n\}", ms\.Parameter\(torch\.zeros\(n\), requires_grad=False\)\)$/m);
  const other = src.replace('self.register_buffer("mask", torch.ones(n))', 'self.encoder = nn.Linear(2, 2)\n        self.encoder.register_buffer("mask", torch.ones(n))');
  assert.match(fix(other, 'MSP401', findings(other, 'MSP401').findIndex((x) => /register_buffer/.test(x.message))).text, /^        self\.encoder\.mask = ms\.Parameter\(torch\.ones\(n\), requires_grad=False\)$/m);
  assert.equal(findings(src, 'MSP103').filter((x) => /register_buffer/.test(x.message)).length, 0, 'not also "no equivalent"');
});

test('register_buffer is written out by this rule: the statistics count it with the differences and ready to port', async () => {
  const { analyzeText } = await import('../../server/src/engine/analyze');
  const { DEFAULT_SETTINGS } = await import('../../server/src/engine/settings');
  const db = await setup();
  const src = lines('import torch.nn as nn', 'class Net(nn.Module):', '    def __init__(self):', '        super().__init__()', '        self.register_buffer("mask", None)');
  const s = analyzeText(src, DEFAULT_SETTINGS, db).stats;
  // nn.Module (a Cell whose forward is construct: behaviour differs, not counted ready) and register_buffer
  // (written out: with differences, ready); none without an equivalent
  assert.deepEqual([s.apiUses, s.args, s.behavior, s.none, s.ready], [2, 1, 1, 0, 1]);
});

test('nn.Module.__init__(self), the explicit base call, becomes ms.nn.Cell.__init__(self) with the base class', () => {
  const src = lines('import torch.nn as nn', 'class A(nn.Module):', '    def __init__(self):', '        nn.Module.__init__(self)', '    def forward(self, x):', '        return x');
  const out = all(src).flatMap((f) => (f.fixes[0]?.applicability === 'safe' ? [f.fixes[0]] : []));
  const text = applyFixes(src, out).text;
  assert.match(text, /^class A\(ms\.nn\.Cell\):$/m);
  assert.match(text, /^        ms\.nn\.Cell\.__init__\(self\)$/m);
});

test("a subclass of a torch layer (class WrapConv2d(nn.Conv2d)) has its forward renamed: else the layer's own construct runs", () => {
  const src = lines('import torch.nn as nn', 'class WrapConv2d(nn.Conv2d):', '    def forward(self, x, pad):', '        return super().forward(pad(x))');
  const f = findings(src, 'MSP401');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /WrapConv2d\.forward/);
  const r = fix(src, 'MSP401');
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /    def construct\(self, x, pad\):\n        return super\(\)\.construct\(pad\(x\)\)/);
  // a Parameter subclass is not a layer
  assert.equal(findings(lines('import torch.nn as nn', 'class P(nn.Parameter):', '    def forward(self):', '        pass'), 'MSP401').length, 0);
});

test('register_buffer of "t if cond else None": a Parameter cannot hold None, so the None branch stays outside it', () => {
  const src = lines('import torch', 'class A(torch.nn.Module):', '    def __init__(self, up, f):', '        super().__init__()', '        self.register_buffer("k", f if up else None)');
  const f = findings(src, 'MSP401').find((x) => x.message.includes('register_buffer'))!;
  const out = applyFixes(src, [f.fixes[0]]).text;
  assert.match(out, /self\.k = ms\.Parameter\(f, requires_grad=False\) if up else None/);
});
