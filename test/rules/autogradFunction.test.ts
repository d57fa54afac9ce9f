// torch.autograd.Function written out as a Cell with a custom bprop (MSP103's fix, rules/autogradFunction.ts): the
// rewrite itself, what gets no fix and why, and an oracle: the same classes run in CPython before and after the fix,
// torch's Function played by a stand-in that passes a ctx to forward and backward, MindSpore's Cell by one that
// calls construct and hands bprop the inputs, the output and its gradient, with NumPy arrays as tensors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { applyFixes } from '../../server/src/engine/edits';
import type { Finding } from '../../server/src/engine/findings';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { findings, lines, setup, findPython } from './helpers';

before(setup);

const functionFindings = (src: string): Finding[] => findings(src, 'MSP103').filter((f) => /^torch\.autograd\.(function\.)?Function$/.test(String(f.data?.torchApi)));

/** Every autograd.Function of `src` written out; each fix must exist and be unsafe, and the result must parse. */
function writeOut(src: string): string {
  const fs = functionFindings(src);
  assert.ok(fs.length > 0, 'no autograd.Function finding');
  for (const f of fs) {
    assert.equal(f.fixes.length, 1, f.message);
    assert.equal(f.fixes[0].applicability, 'unsafe');
  }
  const out = applyFixes(src, fs.map((f) => f.fixes[0])).text;
  assert.equal(countSyntaxErrors(out), 0, out);
  return out;
}

/** The reason the class gets no fix (the message's "No fix: ..."). */
function noFix(src: string, what = ''): string {
  const [f] = functionFindings(src);
  assert.ok(f, 'no autograd.Function finding');
  assert.deepEqual(f.fixes, [], `expected no fix: ${what}`);
  const why = /No fix: (.*)$/.exec(f.message)?.[1];
  assert.ok(why, f.message);
  return why;
}

const ORACLE_SOURCE = lines(
  'import numpy as np',
  'import torch',
  'from torch.autograd import Function',
  'from torch.autograd.function import once_differentiable',
  '',
  '',
  'class Scale(torch.autograd.Function):',
  '    """A gradient rescaled by its norm."""',
  '',
  '    @staticmethod',
  '    def forward(ctx, x, eps):',
  '        ctx.eps = eps',
  '        ctx.rows = x.shape[0]',
  '        return x * 2.0',
  '',
  '    @staticmethod',
  '    @once_differentiable',
  '    def backward(ctx, grads):',
  '        eps = ctx.eps',
  '        return grads * 2.0 / (np.abs(grads).sum() + eps + ctx.rows), None',
  '',
  '',
  'class Attention(Function):',
  '    @staticmethod',
  '    def forward(ctx, q, k):',
  '        w = np.exp(q @ k.T)',
  '        w = w / w.sum(axis=1, keepdims=True)',
  '        ctx.save_for_backward(q, k, w)',
  '        return w',
  '',
  '    @staticmethod',
  '    def backward(ctx, dw):',
  '        q, k, w = ctx.saved_tensors',
  '        db = w * (dw - (dw * w).sum(axis=1, keepdims=True))',
  '        return db @ k, db.T @ q',
  '',
  '',
  'class ProdSum(torch.autograd.Function):',
  '    @staticmethod',
  '    def forward(ctx, x, y):',
  '        ctx.save_for_backward(x, y)',
  '        return x * y, x + y',
  '',
  '    @staticmethod',
  '    def backward(ctx, g_prod, g_sum):',
  '        x, y = ctx.saved_tensors',
  '        return g_prod * y + g_sum, g_prod * x + g_sum',
  '',
  '',
  'class Clip(torch.autograd.Function):',
  '    @staticmethod',
  '    def forward(ctx, x, lo, hi):',
  '        ctx.save_for_backward(x)',
  '        ctx.bounds = (lo, hi)',
  '        return np.clip(x, lo, hi)',
  '',
  '    @staticmethod',
  '    def backward(ctx, g):',
  '        x = ctx.saved_tensors[0]',
  '        lo, hi = ctx.bounds',
  '        for _ in range(2):',
  '            g = g * 1.5',
  '        return g * ((x > lo) & (x < hi)), None, None',
  '',
  '',
  '',
  'class Exp(torch.autograd.Function):',
  '    @staticmethod',
  '    def forward(ctx, x):',
  '        x = np.exp(x)',
  '        ctx.save_for_backward(x)',
  '        return x',
  '',
  '    @staticmethod',
  '    def backward(ctx, g):',
  '        y, = ctx.saved_tensors',
  '        return g * y',
  '',
  '',
  'clip = Clip.apply',
  '',
  '',
  'def model(x, y):',
  '    a = Scale.apply(x, 1e-3)',
  '    p, s = ProdSum.apply(a, y)',
  '    return clip(Attention.apply(p, s), 0.1, 0.4)',
);

test('forward becomes construct and backward a bprop of the inputs, out and the gradient; ctx is read from those', () => {
  const out = writeOut(ORACLE_SOURCE);
  assert.match(out, /^class Scale\((ms\.)?nn\.Cell\):$/m);
  assert.match(out, /^    def construct\(self, x, eps\):\n        return x \* 2\.0$/m);
  assert.match(out, /^    def bprop\(self, x, eps, out, grads\):\n        eps = eps\n        return grads \* 2\.0 \/ \(np\.abs\(grads\)\.sum\(\) \+ eps \+ x\.shape\[0\]\), None$/m);
  // the returned name saved in forward is bprop's out
  assert.match(out, /^        q, k, w = \(q, k, out\)$/m);
  // two outputs: their gradients come in one tuple
  assert.match(out, /^    def bprop\(self, x, y, out, dout\):\n        g_prod, g_sum = dout\n        x, y = \(x, y\)$/m);
  assert.match(out, /^        x = \(x,\)\[0\]\n        lo, hi = \(lo, hi\)$/m);
  // an input rebound before it is saved and returned is the output
  assert.match(out, /^        y, = \(out,\)$/m);
  // decorators gone, callers kept: Function.apply is a classmethod calling a new Cell
  assert.doesNotMatch(out, /@staticmethod|@once_differentiable|ctx/);
  assert.equal(out.match(/^    @classmethod\n    def apply\(cls, \*args\):\n        return cls\(\)\(\*args\)$/gm)?.length, 5);
  assert.match(out, /^clip = Clip\.apply$/m);
});

test('the written-out classes compute what the torch ones did: outputs and gradients, through apply and aliases', (t) => {
  const python = findPython('numpy');
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
import json, sys, types
import numpy as np

# torch's Function: apply makes a ctx, runs forward, and keeps the ctx for a backward
torch = types.ModuleType("torch"); autograd = types.ModuleType("torch.autograd"); function = types.ModuleType("torch.autograd.function")
class Ctx:
    def save_for_backward(self, *t): self.saved_tensors = t
class Function:
    @classmethod
    def apply(cls, *args):
        ctx = Ctx(); out = cls.forward(ctx, *args); LAST[:] = [ctx]; return out
function.once_differentiable = lambda f: f
torch.autograd = autograd; autograd.Function = Function; autograd.function = function
# MindSpore's Cell: a call runs construct; a backward hands bprop the inputs, the output and its gradient
ms = types.ModuleType("mindspore"); nn = types.ModuleType("mindspore.nn")
class Cell:
    def __call__(self, *args):
        out = self.construct(*args); LAST[:] = [(self, args, out)]; return out
nn.Cell = Cell; ms.nn = nn
sys.modules.update({"torch": torch, "torch.autograd": autograd, "torch.autograd.function": function, "mindspore": ms, "mindspore.nn": nn})
LAST = []

sources = json.loads(sys.stdin.read())
before, after = {}, {}
exec(sources["before"], before); exec(sources["after"], after)
rng = np.random.default_rng(11)
x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
cases = [("Scale", (x, 1e-3)), ("Attention", (x, y)), ("ProdSum", (x, y)), ("Clip", (x, -0.5, 0.5)), ("Exp", (x,))]

def same(a, b):
    if isinstance(a, tuple): return isinstance(b, tuple) and len(a) == len(b) and all(same(p, q) for p, q in zip(a, b))
    if a is None or b is None: return a is b
    return np.allclose(a, b)

bad = []
for name, args in cases:
    out = before[name].apply(*args); ctx = LAST[0]
    dout = tuple(np.ones_like(o) * 0.5 for o in out) if isinstance(out, tuple) else np.ones_like(out) * 0.5
    want = before[name].backward(ctx, *(dout if isinstance(dout, tuple) else (dout,)))
    got_out = after[name].apply(*args); cell, inputs, o = LAST[0]
    got = cell.bprop(*inputs, o, dout)
    if not same(out, got_out) or not same(want, got): bad.append(name)
# the model, through apply and an alias of it
if not same(before["model"](x, y), after["model"](x, y)): bad.append("model")
print("bad", bad)
`;
  const run = spawnSync(python, ['-c', program], { input: JSON.stringify({ before: ORACLE_SOURCE, after: writeOut(ORACLE_SOURCE) }), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});

const fn = (...body: string[]) =>
  lines('import torch', '', '', 'class F(torch.autograd.Function):', ...body);
const BACKWARD = ['', '    @staticmethod', '    def backward(ctx, g):', '        return g, None'];

test('what a bprop cannot read from the inputs and the output gets no fix, and the message says why', () => {
  const cases: [string, string, RegExp][] = [
    ['an intermediate saved', fn('    @staticmethod', '    def forward(ctx, x, y):', '        h = x * y', '        ctx.save_for_backward(h)', '        return h + 1', '', '    @staticmethod', '    def backward(ctx, g):', '        h, = ctx.saved_tensors', '        return g * h, None'), /`h` is saved but is neither an input nor the returned value/],
    ['a computed ctx attribute', fn('    @staticmethod', '    def forward(ctx, x, y):', '        ctx.n = len(y)', '        return x', ...BACKWARD), /`ctx\.n` is computed in forward/],
    ['needs_input_grad', fn('    @staticmethod', '    def forward(ctx, x, y):', '        return x', '', '    @staticmethod', '    def backward(ctx, g):', '        if ctx.needs_input_grad[0]:', '            return g, None', '        return None, None'), /`ctx\.needs_input_grad` has no bprop counterpart/],
    ['a default', fn('    @staticmethod', '    def forward(ctx, x, y=2):', '        return x * y', ...BACKWARD), /parameters have defaults, stars/],
    ['star inputs', fn('    @staticmethod', '    def forward(ctx, *xs):', '        return xs[0]', ...BACKWARD), /parameters have defaults, stars/],
    ['setup_context', fn('    @staticmethod', '    def forward(x, y):', '        return x', '', '    @staticmethod', '    def setup_context(ctx, inputs, output):', '        pass', ...BACKWARD), /defines `setup_context`/],
    ['a saved input rebound first', fn('    @staticmethod', '    def forward(ctx, x, y):', '        x = x.contiguous()', '        ctx.save_for_backward(x)', '        return x * y', ...BACKWARD), /`x` is saved but is neither/],
    ['an input name read as a global', fn('    @staticmethod', '    def forward(ctx, x, scale):', '        return x', '', '    @staticmethod', '    def backward(ctx, g):', '        return g * scale, None'), /backward reads `scale`, the name of an input/],
    ['rebound before ctx is read', fn('    @staticmethod', '    def forward(ctx, x, y):', '        ctx.save_for_backward(x)', '        return x * y', '', '    @staticmethod', '    def backward(ctx, g):', '        x = g * 2', '        s, = ctx.saved_tensors', '        return x * s, None'), /rebinds `x` before reading/],
    ['another decorator', fn('    @staticmethod', '    @torch.jit.ignore', '    def forward(ctx, x, y):', '        return x', ...BACKWARD), /decorator `torch\.jit\.ignore` is not one/],
    ['custom_fwd casting the inputs', fn('    @staticmethod', '    @torch.amp.custom_fwd(device_type="cuda", cast_inputs=torch.float32)', '    def forward(ctx, x, y):', '        return x', ...BACKWARD), /decorator `torch\.amp\.custom_fwd/],
    ['not static', fn('    def forward(ctx, x, y):', '        return x', ...BACKWARD), /forward is not a static method/],
    // found by an audit: each of these had a fix that computed something else
    ['a comprehension variable named like a saved input', fn('    @staticmethod', '    def forward(ctx, x, w):', '        ctx.save_for_backward(x)', '        return x * w, x + w', '', '    @staticmethod', '    def backward(ctx, ga, gb):', '        return tuple([x * ctx.saved_tensors[0] for x in (ga, gb)])'), /read where `x` names something else/],
    ['a lambda parameter named like a saved input', fn('    @staticmethod', '    def forward(ctx, x, w):', '        ctx.save_for_backward(w)', '        return x * w', '', '    @staticmethod', '    def backward(ctx, g):', '        f = lambda w: w * ctx.saved_tensors[0]', '        return f(g), None'), /read where `w` names something else/],
    ['a closure run after the input name is rebound', fn('    @staticmethod', '    def forward(ctx, x, scale):', '        ctx.scale = scale', '        return x * scale', '', '    @staticmethod', '    def backward(ctx, g):', '        def mul(v):', '            return v * ctx.scale', '        scale = 100.0', '        return mul(g), None'), /rebinds `scale` before reading/],
    ['a global read where a comprehension binds an input name', lines('import torch', 'scale = 10.0', '', '', 'class F(torch.autograd.Function):', '    @staticmethod', '    def forward(ctx, x, scale):', '        return x * scale', '', '    @staticmethod', '    def backward(ctx, g):', '        parts = [scale for scale in (1.0, 2.0)]', '        return g * scale * sum(parts), None'), /backward reads `scale`, the name of an input/],
    ['a gradient named like an input', fn('    @staticmethod', '    def forward(ctx, a, grad):', '        return a * grad', '', '    @staticmethod', '    def backward(ctx, grad):', '        return grad, None'), /gradient `grad` has the name of an input/],
    ['a subclass', fn('    @staticmethod', '    def forward(ctx, x, y):', '        return x', ...BACKWARD, '', '', 'class G(F):', '    pass'), /`G` derives from it/],
    ['forward called from elsewhere', fn('    @staticmethod', '    def forward(ctx, x, y):', '        return x', ...BACKWARD, '', '', 'def twice(ctx, x):', '    return F.forward(ctx, x, 2)'), /`F\.forward` is called outside the class/],
    ['ctx freed in backward', fn('    @staticmethod', '    def forward(ctx, x, y):', '        ctx.shape = x.shape', '        return x', '', '    @staticmethod', '    def backward(ctx, g):', '        shape = ctx.shape', '        del ctx.shape', '        return g.reshape(shape), None'), /backward writes `ctx\.shape`/],
  ];
  for (const [what, src, why] of cases) assert.match(noFix(src, what), why, what);
});

test('custom_fwd / custom_bwd without casting go with @staticmethod; a typed ctx and gradients keep only their names', () => {
  const src = fn(
    '    @staticmethod',
    '    @torch.amp.custom_fwd(device_type="cuda")',
    '    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:',
    '        ctx.save_for_backward(x, w)',
    '        return x @ w',
    '',
    '    @staticmethod',
    '    @torch.amp.custom_bwd(device_type="cuda")',
    '    def backward(ctx, grad_out: torch.Tensor):',
    '        x, w = ctx.saved_tensors',
    '        return grad_out @ w.T, x.T @ grad_out',
  );
  const out = writeOut(src);
  assert.doesNotMatch(out, /custom_fwd|custom_bwd|@staticmethod/);
  assert.match(out, /^    def construct\(self, x: torch\.Tensor, w: torch\.Tensor\) -> torch\.Tensor:\n        return x @ w$/m);
  assert.match(out, /^    def bprop\(self, x, w, out, grad_out\):\n        x, w = \(x, w\)$/m);
});

test('names taken in backward are not reused for out; CRLF files keep their line ends', () => {
  const src = fn('    @staticmethod', '    def forward(ctx, x, out):', '        return x + out', '', '    @staticmethod', '    def backward(ctx, g):', '        fwd_out = g', '        return fwd_out, g').replace(/\n/g, '\r\n');
  const out = writeOut(src);
  assert.match(out, /def bprop\(self, x, out, forward_out, g\):\r\n/);
  assert.doesNotMatch(out, /[^\r]\n/);
});

test('a one-element tuple output: bprop is given a tuple of one gradient, unpacked', () => {
  const out = writeOut(fn('    @staticmethod', '    def forward(ctx, x, y):', '        return (x * y,)', '', '    @staticmethod', '    def backward(ctx, g):', '        return g, g'));
  assert.match(out, /^    def bprop\(self, x, y, out, dout\):\n        g, = dout\n        return g, g$/m);
});

test("lifted: @staticmethod with a comment, a ctx named self, shapes read with size() / dim(), torch.autograd.function.Function", () => {
  const out = writeOut(lines(
    'import torch',
    'from torch.autograd.function import Function',
    '',
    '',
    'class F(Function):',
    '    @staticmethod  # type: ignore[override]',
    '    def forward(self, x, y):',
    '        self.n = x.size(0)',
    '        self.d = x.dim()',
    '        return x * y',
    '',
    '    @staticmethod',
    '    def backward(self, g):',
    '        return g * self.n, g * self.d',
  ));
  assert.match(out, /^    def construct\(self, x, y\):\n        return x \* y$/m);
  assert.match(out, /^        return g \* x\.size\(0\), g \* x\.dim\(\)$/m);
});
