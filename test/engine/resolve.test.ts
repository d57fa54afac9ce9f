// Name resolution, PaConvert style: the same API reached through every import form and used in every kind
// of position resolves to one fully-qualified name, with the right context; local rebindings stop it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initParser } from '../../server/src/engine/parser';
import { analyze, usesOf, type UseRow } from './helpers';

before(async () => {
  await initParser();
});

const find = (rows: UseRow[], qname: string, line?: number) => rows.filter((r) => r.qname === qname && (line === undefined || r.line === line));
const one = (rows: UseRow[], qname: string, line: number): UseRow => {
  const hits = find(rows, qname, line);
  assert.equal(hits.length, 1, `expected one ${qname} on line ${line}, got ${JSON.stringify(rows, null, 1)}`);
  return hits[0];
};
const qnamesOnLine = (rows: UseRow[], line: number) => rows.filter((r) => r.line === line).map((r) => r.qname);

describe('import forms', () => {
  const forms: [string, string, string][] = [
    // [import lines, expression naming torch.nn.functional.relu, expression naming torch.nn.Conv2d]
    ['import torch', 'torch.nn.functional.relu', 'torch.nn.Conv2d'],
    ['import torch.nn as nn', 'nn.functional.relu', 'nn.Conv2d'],
    ['from torch import nn', 'nn.functional.relu', 'nn.Conv2d'],
    ['from torch.nn import functional as F\nfrom torch import nn', 'F.relu', 'nn.Conv2d'],
    ['from torch.nn.functional import relu\nfrom torch.nn import Conv2d', 'relu', 'Conv2d'],
    ['from torch.nn.functional import relu as R\nfrom torch.nn import Conv2d as C', 'R', 'C'],
    ['import torch.nn.functional\nimport torch.nn', 'torch.nn.functional.relu', 'torch.nn.Conv2d'],
    ['import torch.nn.functional as F, torch.nn as nn', 'F.relu', 'nn.Conv2d'],
  ];
  for (const [imports, relu, conv] of forms) {
    test(`${imports.replace(/\n/g, '; ')}: ${relu}, ${conv}`, () => {
      const src = `${imports}
y = ${relu}(x)
def f(a=${relu}):
    return a
class Net(${conv}):
    pass
ok = isinstance(m, ${conv})
ok = isinstance(m, (int, ${conv}))
def g(m: ${conv}) -> ${conv}:
    return m
act = ${relu}
`;
      const rows = usesOf(src);
      const n = imports.split('\n').length;
      assert.equal(one(rows, 'torch.nn.functional.relu', n + 1).context, 'call');
      assert.equal(one(rows, 'torch.nn.functional.relu', n + 2).context, 'default');
      assert.equal(one(rows, 'torch.nn.Conv2d', n + 4).context, 'base');
      assert.equal(one(rows, 'torch.nn.Conv2d', n + 6).context, 'isinstance');
      assert.equal(one(rows, 'torch.nn.Conv2d', n + 7).context, 'isinstance');
      const ann = find(rows, 'torch.nn.Conv2d', n + 8);
      assert.deepEqual(ann.map((r) => r.context), ['annotation', 'annotation']);
      assert.equal(one(rows, 'torch.nn.functional.relu', n + 10).context, 'reference');
      for (const r of rows) {
        assert.equal(r.via, 'import');
        assert.equal(r.confidence, 'high');
      }
      // module names (torch, torch.nn, torch.nn.functional) are never reported as APIs
      assert.deepEqual(rows.filter((r) => !['torch.nn.functional.relu', 'torch.nn.Conv2d'].includes(r.qname)), []);
    });
  }

  test('attribute references, decorators and calls in decorators', () => {
    const src = `import torch
import torch.nn as nn
dt = torch.float64
x.to(dtype=torch.float32)
@torch.jit.script
def f(x):
    return x
@torch.no_grad()
def g():
    pass
class M(nn.Module):
    @torch.jit.export
    def h(self):
        pass
`;
    const rows = usesOf(src);
    assert.equal(one(rows, 'torch.float64', 3).context, 'reference');
    assert.equal(one(rows, 'torch.float32', 4).context, 'reference');
    assert.equal(one(rows, 'torch.jit.script', 5).context, 'decorator');
    assert.equal(one(rows, 'torch.no_grad', 8).context, 'call');
    assert.equal(one(rows, 'torch.nn.Module', 11).context, 'base');
    assert.equal(one(rows, 'torch.jit.export', 12).context, 'decorator');
  });

  test('imports inside functions are local to them', () => {
    const src = `def f(x):
    import torch.nn.functional as F
    return F.gelu(x)
def g(x):
    from torch import nn
    def inner():
        return nn.ReLU()
    return inner
def h(x):
    return F.gelu(x)
`;
    const rows = usesOf(src);
    assert.equal(one(rows, 'torch.nn.functional.gelu', 3).context, 'call');
    assert.equal(one(rows, 'torch.nn.ReLU', 7).context, 'call');
    assert.deepEqual(qnamesOnLine(rows, 10), [], 'F is not bound in h');
  });

  test('imports inside try blocks, with and without an except fallback', () => {
    const src = `try:
    import torch.nn.functional as F
except ImportError:
    pass
try:
    from torch.nn import LayerNorm
except ImportError:
    LayerNorm = None
try:
    import torch_npu
    from torch_npu.contrib import transfer_to_npu
except Exception:
    torch_npu = None
y = F.silu(x)
n = LayerNorm(8)
transfer_to_npu.foo()
`;
    const rows = usesOf(src);
    assert.equal(one(rows, 'torch.nn.functional.silu', 14).context, 'call');
    assert.equal(one(rows, 'torch.nn.LayerNorm', 15).context, 'call');
    assert.ok(find(rows, 'torch_npu.contrib.transfer_to_npu.foo', 16).length === 1);
  });

  test('import inside an if block and inside a with block', () => {
    const src = `import sys
if sys.version_info > (3, 8):
    import torch
with open('f') as fh:
    from torch import nn
torch.abs(x)
nn.ReLU()
`;
    const rows = usesOf(src);
    assert.ok(one(rows, 'torch.abs', 6));
    assert.ok(one(rows, 'torch.nn.ReLU', 7));
  });

  test('relative and wildcard imports bind nothing tracked', () => {
    const rows = usesOf('from . import torch\nfrom .nn import Linear\nfrom torch.nn import *\ntorch.abs(x)\nLinear(2, 3)\nConv2d(1, 2, 3)\n');
    assert.deepEqual(rows, []);
  });

  test('untracked packages are ignored, tracked ones beside torch are recorded', () => {
    const rows = usesOf('import os\nimport einops\nimport torchvision.transforms as T\nos.path.join("a")\neinops.rearrange(x, "a b -> b a")\nT.Resize(3)\n');
    assert.deepEqual(rows.map((r) => r.qname), ['einops.rearrange', 'torchvision.transforms.Resize']);
  });
});

describe('rebinding and scopes', () => {
  test('a local rebinding stops resolution from that point on', () => {
    const src = `import torch.nn as nn
a = nn.Linear(2, 3)
nn = Foo()
b = nn.Linear(2, 3)
import torch.nn as nn
c = nn.Linear(2, 3)
`;
    const rows = usesOf(src);
    assert.ok(one(rows, 'torch.nn.Linear', 2));
    assert.deepEqual(qnamesOnLine(rows, 4), []);
    assert.ok(one(rows, 'torch.nn.Linear', 6));
  });

  test('if / elif / else: a branch does not see what another bound, and a name bound apart in them is unknown after', () => {
    // makani's SFNO: a string setting rebound to the class it names, one branch each
    const src = `import torch.nn as nn
def build(act="gelu", norm=None):
    if act == "relu":
        act = nn.ReLU
    elif act == "gelu":
        act = nn.GELU
    else:
        raise ValueError(act)
    if norm is None:
        norm = nn.LayerNorm
    else:
        norm = nn.LayerNorm
    if flag:
        extra = nn.Dropout
    return Block(act_layer=act, norm_layer=norm, extra=extra)
`;
    const rows = usesOf(src);
    assert.deepEqual(qnamesOnLine(rows, 5), [], 'the elif condition reads the string, not nn.ReLU');
    assert.deepEqual(qnamesOnLine(rows, 8), [], 'nor does the else branch');
    assert.deepEqual(find(rows, 'torch.nn.ReLU').map((r) => r.line), [4]);
    assert.deepEqual(find(rows, 'torch.nn.GELU').map((r) => r.line), [6]);
    // after the statement: act is one of two classes (unknown); norm is the same class either way; extra only if bound
    assert.deepEqual(find(rows, 'torch.nn.LayerNorm').map((r) => r.line), [10, 12, 15]);
    assert.deepEqual(find(rows, 'torch.nn.Dropout').map((r) => r.line), [14, 15]);
  });

  test('after branches: two model classes are a module; a model one way and unknown the other is a guessed one', () => {
    const src = `import torch.nn as nn
class A(nn.Module):
    pass
class B(nn.Module):
    pass
def train(kind, model=None):
    if kind == "a":
        net = A()
    else:
        net = B()
    p = net.parameters()
    if model is None:
        model = net
    s = model.state_dict()
`;
    const rows = usesOf(src);
    assert.equal(one(rows, 'torch.nn.Module.parameters', 11).confidence, 'high');
    assert.equal(one(rows, 'torch.nn.Module.state_dict', 14).confidence, 'low');
  });

  test('other rebinding forms: for targets, with targets, tuple unpacking, walrus, def, class, except as', () => {
    const src = `import torch
import torch.nn.functional as F
for torch in range(3):
    torch.abs(1)
import torch
with ctx() as F:
    F.relu(1)
import torch.nn.functional as F
a, F = 1, 2
F.relu(1)
import torch.nn.functional as F
if (F := 3):
    F.relu(1)
import torch.nn.functional as F
def F():
    pass
F.relu(1)
import torch
class torch:
    pass
torch.abs(1)
import torch
try:
    pass
except Exception as torch:
    torch.abs(1)
`;
    const rows = usesOf(src);
    assert.deepEqual(rows, [], JSON.stringify(rows));
  });

  test('function parameters shadow an import, also lambda parameters and comprehension variables', () => {
    const src = `import torch
import torch.nn as nn
def f(torch, nn=None, *args, F=None, **kw):
    torch.abs(1)
    nn.Linear(1, 2)
g = lambda torch: torch.abs(1)
h = [torch.abs(1) for torch in range(3)]
torch.abs(2)
`;
    const rows = usesOf(src);
    assert.deepEqual(rows.map((r) => `${r.line}:${r.qname}`), ['8:torch.abs']);
  });

  test('a keyword argument named like an import is not a use of it', () => {
    const src = `from torch.utils.checkpoint import checkpoint
layer = Block(4, checkpoint=use_ckpt)
y = checkpoint(layer, x)
`;
    assert.deepEqual(usesOf(src).map((r) => `${r.line}:${r.qname}`), ['3:torch.utils.checkpoint.checkpoint']);
  });

  test('a parameter default is evaluated in the enclosing scope, not the function scope', () => {
    const src = `import torch
def f(torch=torch.float32):
    return torch
`;
    const rows = usesOf(src);
    assert.equal(one(rows, 'torch.float32', 2).context, 'default');
  });

  test('class body bindings are not visible in methods; method parameters are local', () => {
    const src = `import torch
import torch.nn as nn
class K:
    torch = 3
    dtype = torch.float32
    def m(self):
        return torch.abs(2)
    def n(self, nn):
        return nn.Linear(1, 2)
    act = nn.ReLU()
torch.abs(3)
`;
    const rows = usesOf(src);
    assert.deepEqual(qnamesOnLine(rows, 5), [], 'torch is the class attribute here');
    assert.ok(one(rows, 'torch.abs', 7), 'the method sees the module-level torch');
    assert.deepEqual(qnamesOnLine(rows, 9), [], 'nn is a parameter');
    assert.ok(one(rows, 'torch.nn.ReLU', 10));
    assert.ok(one(rows, 'torch.abs', 11));
  });

  test('a name rebound inside a function does not affect the module scope', () => {
    const src = `import torch
def f():
    torch = None
    return torch.abs(1)
torch.abs(2)
`;
    const rows = usesOf(src);
    assert.deepEqual(rows.map((r) => `${r.line}:${r.qname}`), ['5:torch.abs']);
  });
});

describe('receivers', () => {
  test('a tensor from a torch factory or op, the result of a tensor method, an annotated parameter', () => {
    const src = `import torch
x = torch.randn(2, 3)
x.view(6)
y = torch.matmul(x, x.T)
y.permute(1, 0)
z = x.float()
z.view(-1)
w = (x + 1) * 2
w.unsqueeze(0)
def f(a: torch.Tensor, b: "int"):
    a.contiguous()
    a.squeeze(0).view(3)
p = torch.tensor([1.0])[0]
p.view(1)
q, r = x.chunk(2)
q.view(3)
`;
    const rows = usesOf(src);
    const high = (line: number, qname: string) => {
      const u = one(rows, qname, line);
      assert.equal(u.confidence, 'high', `${qname} line ${line}`);
      assert.equal(u.via, 'method');
      assert.equal(u.context, 'call');
    };
    high(3, 'torch.Tensor.view');
    high(5, 'torch.Tensor.permute');
    high(7, 'torch.Tensor.view');
    high(9, 'torch.Tensor.unsqueeze');
    high(11, 'torch.Tensor.contiguous');
    high(12, 'torch.Tensor.squeeze');
    high(12, 'torch.Tensor.view');
    high(14, 'torch.Tensor.view');
    high(16, 'torch.Tensor.view');
  });

  test('nn.Parameter and module attributes assigned in __init__', () => {
    const src = `import torch
import torch.nn as nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(3))
        self.fc = nn.Linear(3, 4)
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
    def forward(self, x):
        self.w.view(3, 1)
        h = self.fc(x).view(-1, 4)
        h.transpose(0, 1)
        self.fc.weight.view(-1)
        for blk in self.blocks:
            h = blk(h)
        h.flatten()
        return self.fc.forward(x).permute(1, 0)
`;
    const rows = usesOf(src);
    for (const [line, qname] of [
      [10, 'torch.Tensor.view'],
      [11, 'torch.Tensor.view'],
      [12, 'torch.Tensor.transpose'],
      [13, 'torch.Tensor.view'],
      [16, 'torch.Tensor.flatten'],
      [17, 'torch.Tensor.permute'],
    ] as const) {
      const u = one(rows, qname, line);
      assert.equal(u.confidence, 'high', `${qname} line ${line}: ${JSON.stringify(u)}`);
    }
  });

  test("a module's own attributes are not torch APIs; containers' methods are the container's; modules passed through keep their class", () => {
    const src = `import torch
import torch.nn as nn
class B(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.blocks = nn.ModuleList([])
        self.blocks.append(nn.Linear(2, 2))
        self.seq = nn.Sequential()
        self.seq.append(nn.ReLU())
        self.act = act()
    def forward(self, x):
        x = self.act(x)
        self.train()
        return self.norm1(x)
m = torch.nn.SyncBatchNorm.convert_sync_batchnorm(B(nn.GELU))
m.load_state_dict(sd)
opt = torch.optim.Adam(m.parameters())
c = torch.compile(model=m)
d = torch.compile(m)
d.eval()
`;
    const methods = usesOf(src)
      .filter((u) => u.via === 'method')
      .map((u) => [u.line, u.qname]);
    assert.deepEqual(methods, [
      [7, 'torch.nn.ModuleList.append'],
      [9, 'torch.nn.Sequential.append'],
      // self.act(x), self.norm1(x): the model's own sub-modules, whatever they are
      [13, 'torch.nn.Module.train'],
      // convert_sync_batchnorm and compile return the module they are given (compile's by keyword: not followed)
      [16, 'torch.nn.Module.load_state_dict'],
      [17, 'torch.nn.Module.parameters'],
      [20, 'torch.nn.Module.eval'],
    ]);
  });

  test('an unknown receiver with a tensor-only method name is low confidence; common names are not guessed', () => {
    const src = `def f(x, d):
    x.view(3)
    x.permute(0, 1)
    d.items()
    d.mean()
    d.split(",")
    x.to("cuda")
`;
    const rows = usesOf(src);
    assert.deepEqual(
      rows.map((r) => `${r.line}:${r.qname}:${r.confidence}`),
      ['2:torch.Tensor.view:low', '3:torch.Tensor.permute:low'],
    );
  });

  test('the low-confidence guess is said in the diagnostic message and data, and lowConfidence=false hides it', () => {
    const src = 'def f(x):\n    return x.transpose(0, 1)\n';
    const a = analyze(src, { select: ['MSP1'] });
    const f = a.findings.find((x) => x.data?.torchApi === 'torch.Tensor.transpose');
    assert.ok(f, JSON.stringify(a.findings));
    assert.equal(f.data?.confidence, 'low');
    assert.match(f.message, /low confidence/);
    assert.equal(f.severity, 'hint', 'a same-behaviour rename of a guessed receiver is only a hint');
    assert.equal(f.fixes[0]?.applicability, 'unsafe', 'a guess is never fixed silently');
    assert.equal(a.stats.lowConfidence, 1);
    assert.equal(a.stats.apiUses, 0);
    const off = analyze(src, { select: ['MSP1'], lowConfidence: false });
    assert.deepEqual(off.findings, []);
  });

  test('a high-confidence tensor method says nothing about confidence', () => {
    const a = analyze('import torch\nx = torch.ones(2)\ny = x.transpose(0, 1)\n', { select: ['MSP1'] });
    const f = a.findings.find((x) => x.data?.torchApi === 'torch.Tensor.transpose');
    assert.ok(f, JSON.stringify(a.findings));
    assert.equal(f.data?.confidence, 'high');
    assert.equal(f.severity, 'info');
    assert.equal(f.fixes[0]?.applicability, 'safe');
    assert.doesNotMatch(f.message, /low confidence/);
  });

  test('user methods are never torch APIs, also inherited and same-named ones', () => {
    const src = `import torch
import torch.nn as nn
class Base(nn.Module):
    def helper(self, x):
        return x
    def view(self, x):
        return x
class Net(Base):
    def forward(self, x):
        a = self.helper(x)
        b = self.view(x)
        c = self.extra(x)
        self.cuda()
        return self.train()
    def extra(self, x):
        return x
class Plain:
    def go(self):
        return self.view(3)
    def view(self, n):
        return n
`;
    const rows = usesOf(src);
    assert.deepEqual(qnamesOnLine(rows, 10), []);
    assert.deepEqual(qnamesOnLine(rows, 11), []);
    assert.deepEqual(qnamesOnLine(rows, 12), []);
    assert.deepEqual(qnamesOnLine(rows, 13), ['torch.nn.Module.cuda']);
    assert.deepEqual(qnamesOnLine(rows, 14), ['torch.nn.Module.train']);
    assert.deepEqual(qnamesOnLine(rows, 19), []);
  });

  test('non-tensor results are not tensors: x.size(), x.item(), torch.is_tensor()', () => {
    const src = `import torch
x = torch.ones(3)
n = x.size()
n.numel()
v = x.item()
v.real
ok = torch.is_tensor(x)
ok.bit_length()
`;
    const rows = usesOf(src);
    assert.deepEqual(find(rows, 'torch.Tensor.numel', 4).map((r) => r.confidence), ['low']);
    assert.deepEqual(qnamesOnLine(rows, 6), []);
    assert.deepEqual(qnamesOnLine(rows, 8), []);
  });
});

describe('functions returning modules', () => {
  const src = [
    'import torch',
    'import torch.nn as nn',
    'class Net(nn.Module):',
    '    def extra(self):',
    '        return 1',
    'def build(cfg):',
    '    if cfg is None:',
    '        return None',
    '    if cfg.small:',
    '        return Net()',
    '    return nn.Linear(2, 2)',
    'def same(cfg):',
    '    net = Net()',
    '    return net',
    'def gen():',
    '    yield Net()',
    '    return Net()',
    'def feats(x):',
    '    return torch.zeros(2)',
    'def other(cfg):',
    '    return Net() if cfg else cfg.thing',
    'def annotated() -> nn.Module:',
    '    return REGISTRY["x"]()',
    'build(c).eval()',
    'same(c).extra()',
    'same(c).train()',
    'gen().eval()',
    'other(c).eval()',
    'annotated().eval()',
    'feats(x).sum()',
    '',
  ].join('\n');
  let rows: UseRow[] = [];
  before(() => {
    rows = usesOf(src);
  });
  test('returns of two Module classes give an nn.Module; one class keeps its own methods', () => {
    assert.deepEqual(qnamesOnLine(rows, 24), ['torch.nn.Module.eval']);
    assert.deepEqual(qnamesOnLine(rows, 25), [], 'extra is Net’s own');
    assert.deepEqual(qnamesOnLine(rows, 26), ['torch.nn.Module.train']);
  });
  test('a generator, an unknown return, a tensor: nothing inferred; a return annotation is taken', () => {
    assert.deepEqual(qnamesOnLine(rows, 27), []);
    assert.deepEqual(qnamesOnLine(rows, 28), []);
    assert.deepEqual(qnamesOnLine(rows, 29), ['torch.nn.Module.eval']);
    assert.deepEqual(qnamesOnLine(rows, 30), [], 'tensor-returning functions stay unknown');
  });
});

describe('class and static methods returning modules', () => {
  const src = [
    'import torch.nn as nn',
    'class Net(nn.Module):',
    '    @classmethod',
    '    def from_config(cls, cfg):',
    '        return cls(**cfg)',
    '    @staticmethod',
    '    def tiny() -> nn.Module:',
    '        return make()',
    '    @classmethod',
    '    def describe(cls):',
    '        return cls.__name__',
    '    def copy(self):',
    '        return self',
    '    def extra(self):',
    '        return 1',
    'class Big(Net):',
    '    def more(self):',
    '        return 2',
    'class Odd(Net):',
    '    @classmethod',
    '    def from_config(cls, cfg):',
    '        return cfg',
    'Net.from_config(c).eval()',
    'Big.from_config(c).more()',
    'Big.from_config(c).train()',
    'Net.tiny().eval()',
    'Net.describe().eval()',
    'Odd.from_config(c).eval()',
    'Net.from_config(c).extra()',
    '',
  ].join('\n');
  let rows: UseRow[] = [];
  before(() => {
    rows = usesOf(src);
  });
  test('`return cls(...)` gives an instance of the class it is called on, a subclass too', () => {
    assert.deepEqual(qnamesOnLine(rows, 23), ['torch.nn.Module.eval']);
    assert.deepEqual(qnamesOnLine(rows, 24), [], 'more is Big’s own');
    assert.deepEqual(qnamesOnLine(rows, 25), ['torch.nn.Module.train']);
    assert.deepEqual(qnamesOnLine(rows, 29), [], 'extra is Net’s own');
  });
  test('a static method annotated with a module class; a class method returning something else; an override', () => {
    assert.deepEqual(qnamesOnLine(rows, 26), ['torch.nn.Module.eval']);
    assert.deepEqual(qnamesOnLine(rows, 27), []);
    assert.deepEqual(qnamesOnLine(rows, 28), [], 'Odd’s own from_config returns its argument');
  });
});

describe('classes imported from the torch modules that define them', () => {
  test('are known by their public names', () => {
    const src = [
      'from torch.amp.grad_scaler import GradScaler',
      'from torch.cuda.amp.autocast_mode import autocast',
      'from torch.nn.modules.linear import Linear',
      'from torch.nn.modules import Module',
      'from torch.optim.adam import Adam',
      'from torch.utils.data.dataloader import DataLoader',
      'from torch.nn.modules.utils import _pair',
      's = GradScaler()',
      'a = autocast()',
      'l = Linear(2, 2)',
      'm = Module()',
      'o = Adam(p)',
      'd = DataLoader(ds)',
      'p = _pair(3)',
      'import torch',
      'scaler = torch.amp.grad_scaler.GradScaler()',
      'scaler.scale(loss)',
      'q = torch.nn.modules.conv.Conv2d(1, 1, 3)',
      '',
    ].join('\n');
    const rows = usesOf(src);
    assert.deepEqual([8, 9, 10, 11, 12, 13, 14].map((line) => qnamesOnLine(rows, line)), [
      ['torch.amp.GradScaler'],
      ['torch.cuda.amp.autocast'],
      ['torch.nn.Linear'],
      ['torch.nn.Module'],
      ['torch.optim.Adam'],
      ['torch.utils.data.DataLoader'],
      ['torch.nn.modules.utils._pair'],
    ]);
    // reached through attributes too, and the instance's methods are the public class's
    assert.deepEqual(qnamesOnLine(rows, 16), ['torch.amp.GradScaler']);
    assert.deepEqual(qnamesOnLine(rows, 17), ['torch.amp.GradScaler.scale']);
    assert.deepEqual(qnamesOnLine(rows, 18), ['torch.nn.Conv2d']);
    // old names and re-exports: torch's _LRScheduler, timm's trunc_normal_ from vision_transformer, torchvision's transforms module
    const more = usesOf(
      'from torch.optim.lr_scheduler import _LRScheduler\nfrom timm.models.vision_transformer import trunc_normal_\nimport torchvision\nclass S(_LRScheduler):\n    pass\ntrunc_normal_(w, std=0.02)\nn = torchvision.transforms.transforms.Normalize(m, s)\n',
    );
    assert.deepEqual(qnamesOnLine(more, 4), ['torch.optim.lr_scheduler.LRScheduler']);
    assert.deepEqual(qnamesOnLine(more, 6), ['timm.models.layers.trunc_normal_']);
    assert.deepEqual(qnamesOnLine(more, 7), ['torchvision.transforms.Normalize']);
  });
});
