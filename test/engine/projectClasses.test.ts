// Classes imported from the project's other files (engine/projectIndex.ts): a training script's model comes
// from models/…, and `model.eval()`, `model.load_state_dict(…)` there are what MSP402/MSP406 report. Every import
// form reaches the class; what is not a torch class, not found, or rebound is left alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initParser } from '../../server/src/engine/parser';
import { analyze } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'mindport-project-'));
const project = join(root, 'proj');

function put(rel: string, text: string): string {
  const p = join(project, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const BASE = `import torch.nn as nn


class BaseModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(4, 4)

    def describe(self):
        return "base"
`;
const FCN = `from torch import nn
from .base import BaseModel


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)

    def warm(self):
        return 0


class FourCastNet(BaseModel):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def forward(self, x):
        return self.block(self.head(x))
`;

before(async () => {
  await initParser();
  put('pyproject.toml', '[project]\nname = "proj"\n');
  put('models/__init__.py', 'from .fcn import FourCastNet\nfrom .factory import build_model\n');
  put('models/factory.py', 'from .fcn import FourCastNet, Block\n\n\ndef build_model(cfg):\n    if cfg.small:\n        return Block()\n    return FourCastNet()\n\n\ndef build_net(cfg) -> FourCastNet:\n    return REGISTRY[cfg.name](cfg)\n\n\ndef load_config(path):\n    return {"path": path}\n');
  put('models/base.py', BASE);
  put('models/fcn.py', FCN);
  put('models/blocks.py', 'import torch.nn as nn\n\n\nclass AttnBlock(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.attn = nn.MultiheadAttention(dim, 8)\n\n\nclass NormBlock(nn.Module):\n    def __init__(self, dim):\n        super().__init__()\n        self.norm = nn.LayerNorm(dim)\n');
  put('models/zoo.py', 'import torch.nn as nn\n\n\nclass Zoo(nn.Module):\n    @classmethod\n    def from_config(cls, cfg):\n        return cls()\n');
  put('models/plain.py', 'class Config:\n    def eval(self):\n        return 1\n');
  put('utils/common.py', 'import torch\nimport torch.nn as nn\nimport einops\nimport torch.nn.functional as _F\nfrom .more import *\n');
  put('utils/more.py', 'from torch.utils.data import DataLoader\n');
  put('utils/__init__.py', '');
  put('utils/listed.py', 'import torch\nimport torch.nn as nn\nfrom models.fcn import FourCastNet, Block\n__all__ = ["nn", "Block"]\n__all__ += ("_private",)\n_private = nn\n');
  put('data/era5.py', 'from torch.utils.data import Dataset\n\n\nclass ERA5(Dataset):\n    def __len__(self):\n        return 8\n\n    def __getitem__(self, i):\n        if i < 0:\n            raise IndexError(i)\n        inputs = self.x[i]\n        return inputs, self.y[i]\n\n\nclass Fields(Dataset):\n    def __getitem__(self, i):\n        sample = load(i)\n        sample["static"] = self.static\n        return sample\n');
  put('models/broken.py', 'import torch.nn as nn\n\nclass Broken(nn.Module:\n    def forward(self, x) return x\n)))\n');
  mkdirSync(join(project, 'odd', 'folder.py'), { recursive: true }); // a folder named like a module
  writeFileSync(join(project, 'odd', 'binary.py'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x0a]));
  writeFileSync(join(project, 'odd', 'latin.py'), Buffer.from('# caf\xe9\nimport torch.nn as nn\n\n\nclass Latin(nn.Module):\n    pass\n', 'latin1'));
  put('cyc/a.py', 'from cyc.b import B\n\nclass A(B):\n    pass\n');
  put('cyc/b.py', 'from cyc.a import A\n\nclass B(A):\n    pass\n');
  // above the project's root (pyproject.toml): not the project's
  writeFileSync(join(root, 'outside.py'), 'import torch.nn as nn\n\nclass Outside(nn.Module):\n    pass\n');
});

after(() => rmSync(root, { recursive: true, force: true }));

/** The analysis of `src` as the file `rel` of the project (not written to disk). */
function analyseAs(rel: string, src: string) {
  return analyze(src, { file: join(project, rel) });
}
const lineOf = (src: string, start: number) => src.slice(0, start).split('\n').length;
const codesOn = (src: string, a: ReturnType<typeof analyseAs>, line: number) => a.findings.filter((f) => lineOf(src, f.start) === line).map((f) => f.code);

describe('every import form of a project class', () => {
  const forms: [file: string, imports: string, expr: string][] = [
    ['train.py', 'from models.fcn import FourCastNet', 'FourCastNet'],
    ['train.py', 'from models.fcn import FourCastNet as Net', 'Net'],
    ['train.py', 'from models import FourCastNet', 'FourCastNet'], // re-exported by models/__init__.py
    ['train.py', 'import models.fcn', 'models.fcn.FourCastNet'],
    ['train.py', 'import models.fcn as fcn', 'fcn.FourCastNet'],
    ['train.py', 'from models import fcn', 'fcn.FourCastNet'],
    ['train.py', 'import models', 'models.FourCastNet'],
    ['models/runner.py', 'from .fcn import FourCastNet', 'FourCastNet'],
    ['models/runner.py', 'from . import fcn', 'fcn.FourCastNet'],
    ['models/sub/deep.py', 'from ..fcn import FourCastNet', 'FourCastNet'],
    ['scripts/run.py', 'from models.fcn import FourCastNet', 'FourCastNet'], // found in the project's root
    ['train.py', 'from models.fcn import *', 'FourCastNet'],
    ['models/runner.py', 'from .fcn import *', 'FourCastNet'],
    ['models/sub/deep.py', 'from .. import *', 'FourCastNet'], // models/__init__.py's names
  ];
  for (const [file, imports, expr] of forms) {
    test(`${file}: ${imports}`, () => {
      const src = `${imports}\n\nmodel = ${expr}()\nmodel.eval()\nmodel.train(True)\nsd = model.state_dict()\n`;
      const a = analyseAs(file, src);
      assert.deepEqual(a.internalErrors, []);
      assert.deepEqual(codesOn(src, a, 4), ['MSP402']);
      assert.deepEqual(codesOn(src, a, 5), ['MSP402']);
      assert.deepEqual(codesOn(src, a, 6), ['MSP406']);
      assert.equal(a.findings.find((f) => f.code === 'MSP402')!.fixes[0].applicability, 'safe');
    });
  }
});

describe('factory functions of the project', () => {
  test('a function returning Modules (two classes: an nn.Module) or annotated with a class gives an instance', () => {
    const src = 'from models import build_model\nfrom models.factory import build_net, load_config\n\nm = build_model(cfg)\nm.eval()\nn = build_net(cfg)\nn.eval()\nn.describe()\nc = load_config("x")\nc.eval()\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[5, 'MSP402'], [7, 'MSP402']]);
  });
});

describe('class methods of project classes that make instances', () => {
  const forms: [string, string][] = [
    ['from models.zoo import Zoo', 'Zoo.from_config(cfg)'],
    ['import models.zoo as z', 'z.Zoo.from_config(cfg)'],
    ['from models.zoo import Zoo\n\n\nclass Big(Zoo):\n    pass', 'Big.from_config(cfg)'],
  ];
  for (const [imports, expr] of forms) {
    test(expr, () => {
      const src = `${imports}\n\nmodel = ${expr}\nmodel.eval()\n`;
      const a = analyseAs('train.py', src);
      assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[src.split('\n').length - 1, 'MSP402']]);
    });
  }
});

describe('what the class knows', () => {
  test('its methods and those of its project base classes are not torch APIs; its attributes keep their types', () => {
    const src = 'from models import FourCastNet\n\nm = FourCastNet()\nm.describe()\nm.block.warm()\nm.block.eval()\nm.head.weight.view(-1)\nm.forward(1)\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(codesOn(src, a, 4), [], 'describe is BaseModel’s (models/base.py)');
    assert.deepEqual(codesOn(src, a, 5), [], 'warm is Block’s');
    assert.deepEqual(codesOn(src, a, 6), ['MSP402'], 'self.block is a Block');
    const uses = a.resolution!.uses.map((u) => u.qname);
    assert.ok(uses.includes('torch.Tensor.view'), `self.head.weight is a tensor: ${uses}`);
    assert.ok(!uses.some((q) => /describe|warm|forward/.test(q)), `${uses}`);
  });

  test('an annotated parameter', () => {
    const src = 'from models import FourCastNet\n\n\ndef evaluate(net: FourCastNet):\n    net.eval()\n';
    assert.deepEqual(codesOn(src, analyseAs('train.py', src), 5), ['MSP402']);
  });

  test('a subclass in this file of a class imported from another: its forward becomes construct, its instances are Cells', () => {
    const src = 'from models.base import BaseModel\n\n\nclass Mine(BaseModel):\n    def forward(self, x):\n        return self.head(x)\n\n\nMine().eval()\n';
    const a = analyseAs('train.py', src);
    const f = a.findings.find((x) => x.code === 'MSP401');
    assert.ok(f, JSON.stringify(a.findings.map((x) => x.code)));
    assert.equal(src.slice(f.start, f.end), 'forward');
    assert.deepEqual(codesOn(src, a, 9), ['MSP402']);
  });

  test('a deep stack of blocks imported from another file (MSP302), but not of light ones', () => {
    const stack = (block: string) =>
      `import torch.nn as nn\nfrom .blocks import ${block}\n\n\nclass Deep(nn.Module):\n    def __init__(self, dim=512, depth=24):\n        super().__init__()\n        self.blocks = nn.ModuleList([${block}(dim) for _ in range(depth)])\n\n    def forward(self, x):\n        for blk in self.blocks:\n            x = blk(x)\n        return x\n`;
    const heavy = analyseAs('models/deep.py', stack('AttnBlock')).findings.filter((f) => f.code === 'MSP302');
    assert.equal(heavy.length, 1);
    assert.match(heavy[0].message, /24 identical AttnBlock blocks/);
    assert.equal(analyseAs('models/deep.py', stack('NormBlock')).findings.filter((f) => f.code === 'MSP302').length, 0);
  });

  test('an autocast block around an imported model: the fix casts that model (MSP303)', () => {
    const src = 'import torch\nfrom models import FourCastNet\n\nmodel = FourCastNet()\nwith torch.autocast("cuda"):\n    y = model(x)\n';
    const f = analyseAs('train.py', src).findings.find((x) => x.code === 'MSP303');
    assert.equal(f?.fixes[0]?.title, 'Remove the autocast block and cast model with auto_mixed_precision(..., "O2")');
  });

  test('the files the classes came from are listed (the scan cache checks them)', () => {
    const a = analyseAs('train.py', 'from models import FourCastNet\nFourCastNet().eval()\n');
    assert.deepEqual(new Set(a.projectFiles), new Set(['models/__init__.py', 'models/fcn.py', 'models/base.py'].map((r) => join(project, r))));
  });
});

describe('left alone', () => {
  const cases: [string, string][] = [
    ['a class that is not a torch class', 'from models.plain import Config\nConfig().eval()\n'],
    ['a module the project does not have', 'from nowhere.fcn import FourCastNet\nFourCastNet().eval()\n'],
    ['a name the module does not define', 'from models.fcn import Missing\nMissing().eval()\n'],
    ['a module above the project root', 'from outside import Outside\nOutside().eval()\n'],
    ['a name rebound after its import', 'from models import FourCastNet\nFourCastNet = object\nFourCastNet().eval()\n'],
  ];
  for (const [name, src] of cases) {
    test(name, () => {
      const a = analyseAs('train.py', src);
      assert.deepEqual(a.internalErrors, []);
      assert.deepEqual(a.findings.map((f) => f.code), []);
    });
  }

  test('a wildcard import binds the module’s torch classes only', () => {
    const src = 'from models.plain import *\nfrom models.fcn import *\nConfig().eval()\nBlock().eval()\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[4, 'MSP402']]);
  });

  test('a wildcard import binds the torch names the module imported (private ones not)', () => {
    const src = 'from utils.common import *\nx = torch.randn((2, 3))\nlayer = nn.Linear(3, 4)\ny = einops.rearrange(x, "a b -> b a")\nloader = DataLoader(ds)\nz = _F.relu(x)\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(a.internalErrors, []);
    assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[2, 'MSP101'], [3, 'MSP101'], [4, 'MSP106'], [5, 'MSP405']]);
    // and the einops fix is safe: x is known to be a tensor through the star-imported torch
    assert.equal(a.findings.find((f) => f.code === 'MSP106')?.fixes[0].applicability, 'safe');
  });

  test('a wildcard import of a module with __all__ binds only the names it lists (private ones too)', () => {
    const src = 'from utils.listed import *\nlayer = nn.Linear(3, 4)\nBlock().eval()\nFourCastNet().eval()\nx = torch.randn((2, 3))\ny = _private.Identity()\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(a.internalErrors, []);
    assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[2, 'MSP101'], [3, 'MSP402'], [6, 'MSP101']]);
  });

  test('without the file’s path (an unsaved buffer), nothing is looked up', () => {
    const a = analyze('from models import FourCastNet\nFourCastNet().eval()\n');
    assert.deepEqual(a.findings.map((f) => f.code), []);
  });

  test('a folder named like a module, a binary file, a Latin-1 file', () => {
    const src = 'from odd.folder import A\nfrom odd.binary import B\nfrom odd.latin import Latin\nA().eval()\nB().eval()\nLatin().eval()\n';
    const a = analyseAs('train.py', src);
    assert.deepEqual(a.internalErrors, []);
    assert.deepEqual(a.findings.map((f) => [lineOf(src, f.start), f.code]), [[6, 'MSP402']], 'the Latin-1 file is decoded as the scan decodes it');
  });

  test('a module with syntax errors, and modules importing each other, end without errors', () => {
    for (const src of ['from models.broken import Broken\nBroken().eval()\n', 'from cyc.a import A\nA().eval()\nfrom cyc.b import B\nB().eval()\n']) {
      const a = analyseAs('train.py', src);
      assert.deepEqual(a.internalErrors, [], src);
    }
  });
});

describe('a project without a root marker', () => {
  // `bare` has no .git, pyproject.toml …: the folder the user works in (workspace folder, CLI's directory) is its root
  const bare = join(root, 'bare');
  const src = 'from models.net import Net\n\nmodel = Net()\nmodel.eval()\n';
  before(() => {
    mkdirSync(join(bare, 'models'), { recursive: true });
    mkdirSync(join(bare, 'scripts'), { recursive: true });
    writeFileSync(join(bare, 'models', 'net.py'), 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n');
  });
  const codes = (over: { root?: string }) => analyze(src, { file: join(bare, 'scripts', 'train.py'), ...over }).findings.map((f) => f.code);

  test('a script in a subfolder finds the model through the folder the user works in', () => {
    assert.deepEqual(codes({ root: bare }), ['MSP402']);
  });
  test('without that folder, or with one the file is not in, only the file’s own folder is searched', () => {
    assert.deepEqual(codes({}), []);
    assert.deepEqual(codes({ root: join(bare, 'models') }), []);
  });
  test('a script beside its modules needs no root', () => {
    const a = analyze('from net import Net\nNet().eval()\n', { file: join(bare, 'models', 'run.py') });
    assert.deepEqual(a.findings.map((f) => f.code), ['MSP402']);
  });
});

test('an unsaved text of a module is read instead of its file, and what importers see of it changes only with its classes', async () => {
  const { projectIndex } = await import('../../server/src/engine/projectIndex');
  const model = put('unsaved/net.py', 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n');
  const src = 'from unsaved.net import Net\nNet().eval()\n';
  const codes = () => analyseAs('train.py', src).findings.map((f) => f.code);
  assert.deepEqual(codes(), ['MSP402']);
  const before = projectIndex.exportsOf(model);
  try {
    // a change inside a method: other files see the same module
    projectIndex.setUnsaved(model, 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x * 2\n');
    assert.equal(projectIndex.exportsOf(model), before);
    assert.deepEqual(codes(), ['MSP402']);
    // Net is no longer a Module in the editor (not saved): importers see that
    projectIndex.setUnsaved(model, 'class Net:\n    def eval(self):\n        return self\n');
    assert.notEqual(projectIndex.exportsOf(model), before);
    assert.deepEqual(codes(), []);
  } finally {
    projectIndex.setUnsaved(model, undefined);
  }
  // closed without saving: the file again
  assert.equal(projectIndex.exportsOf(model), before);
  assert.deepEqual(codes(), ['MSP402']);
});

test('a module changed on disk is read again', () => {
  const src = 'from models.fcn import Block\nBlock().eval()\n';
  assert.deepEqual(analyseAs('train.py', src).findings.map((f) => f.code), ['MSP402']);
  const p = put('models/fcn.py', FCN.replace('class Block(nn.Module):', 'class Block:'));
  utimesSync(p, new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(analyseAs('train.py', src).findings.map((f) => f.code), [], 'Block is no longer a Module');
  const q = put('models/fcn.py', FCN);
  utimesSync(q, new Date(), new Date(Date.now() + 10000));
  assert.deepEqual(analyseAs('train.py', src).findings.map((f) => f.code), ['MSP402']);
});

test("a dataset class from another file gives DataLoader's rewrite its column names; one returning a dict gives none", () => {
  const src = [
    'from torch.utils.data import DataLoader',
    'from data.era5 import ERA5, Fields',
    'class Module:',
    '    def setup(self):',
    '        self.train_set = ERA5()',
    '    def loader(self):',
    '        return DataLoader(self.train_set, batch_size=4, shuffle=True)',
    'valid = ERA5()',
    'v = DataLoader(dataset=valid, batch_size=2, drop_last=False)',
    'f = DataLoader(Fields(), batch_size=2)',
    '',
  ].join('\n');
  const loaders = analyseAs('train.py', src).findings.filter((f) => f.code === 'MSP405');
  assert.equal(loaders.length, 3);
  const text = (i: number) => loaders[i].fixes[0]?.edits[0].newText;
  assert.match(text(0) ?? '', /^ms\.dataset\.GeneratorDataset\(self\.train_set, column_names=\["inputs", "y"\], shuffle=True\)\.batch\(4, drop_remainder=True\)$/);
  // torch's own drop_last, when the call gives it, is kept
  assert.match(text(1) ?? '', /^ms\.dataset\.GeneratorDataset\(valid, column_names=\["inputs", "y"\], shuffle=False\)\.batch\(2, drop_remainder=False\)$/);
  // a row that is a dict is no list of columns: advice only
  assert.equal(loaders[2].fixes.length, 0);
});
