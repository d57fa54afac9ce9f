// timm's DropPath / drop_path and to_2tuple / to_ntuple written out (MSP103's fix, rules/timmHelpers.ts): the helpers
// inserted once with timm's names, uses through other names renamed, a clash made unsafe, port dropping the timm
// import they replace, and the helpers run in CPython (NumPy standing in for MindSpore's ops.rand and nn.Cell).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { analyzeText } from '../../server/src/engine/analyze';
import { applyFixes } from '../../server/src/engine/edits';
import { portText } from '../../server/src/engine/port';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { DROP_PATH_HELPER_MARKER, DROP_PATH_HELPER_SOURCE, TUPLE_HELPER_MARKER, TUPLE_HELPER_SOURCE } from '../../server/src/engine/rules/timmHelpers';
import { database, findings, lines, setup, findPython } from './helpers';

before(setup);

const SRC = lines(
  'import torch.nn as nn',
  'import timm',
  'from timm.models.layers import DropPath, to_2tuple',
  'from timm.layers.helpers import to_3tuple as triple',
  '',
  '',
  'class Block(nn.Module):',
  '    def __init__(self, dim, drop_path=0.1, patch=16):',
  '        super().__init__()',
  '        self.drop_path = DropPath(drop_path) if drop_path > 0.0 else nn.Identity()',
  '        self.dp2 = timm.layers.DropPath(0.2)',
  '        self.patch = to_2tuple(patch)',
  '        self.cube = triple(patch)',
);

test('DropPath and to_2tuple get a helper with timm names, once; other spellings are renamed to them; safe', () => {
  const fs = findings(SRC, 'MSP103').filter((f) => /^timm\./.test(String(f.data?.torchApi)));
  assert.equal(fs.length, 4);
  assert.ok(fs.every((f) => f.fixes[0]?.applicability === 'safe'), fs.map((f) => f.message).join('\n'));
  const out = applyFixes(SRC, fs.map((f) => f.fixes[0])).text;
  assert.equal(out.split(DROP_PATH_HELPER_MARKER).length, 2);
  assert.equal(out.split(TUPLE_HELPER_MARKER).length, 2);
  assert.match(out, /^        self\.drop_path = DropPath\(drop_path\) if drop_path > 0\.0 else nn\.Identity\(\)$/m);
  assert.match(out, /^        self\.dp2 = DropPath\(0\.2\)$/m);
  assert.match(out, /^        self\.cube = to_3tuple\(patch\)$/m);
  // fixed: nothing of timm's is reported again
  assert.deepEqual(analyzeText(out, DEFAULT_SETTINGS, database()).findings.filter((f) => /^timm\./.test(String(f.data?.torchApi))), []);
});

test('a module-level name of the file that the helper would take over makes the fix unsafe', () => {
  const src = lines('from timm.layers import DropPath', '', 'def drop_path(x):', '    return x', '', 'layer = DropPath(0.1)');
  const [f] = findings(src, 'MSP103');
  assert.equal(f.fixes[0].applicability, 'unsafe');
});

test('port drops the timm import the helpers replace', () => {
  const out = portText(SRC, DEFAULT_SETTINGS, database()).text;
  assert.doesNotMatch(out, /^(import|from) timm/m);
  assert.match(out, /^class DropPath\(_dp_nn\.Cell\):$/m);
});

test("the helpers do what timm's do: tuples from one value or an iterable, a per-sample mask while training", (t) => {
  const python = findPython('numpy');
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
import sys, types
import numpy as np
ops = types.ModuleType("mindspore.ops")
ops.rand = lambda shape, dtype=None: np.random.default_rng(0).random(shape).astype(dtype)
nn = types.ModuleType("mindspore.nn")
class Cell:
    training = False
    def __call__(self, *args): return self.construct(*args)
nn.Cell = Cell
ms = types.ModuleType("mindspore"); ms.ops = ops; ms.nn = nn
sys.modules.update({"mindspore": ms, "mindspore.ops": ops, "mindspore.nn": nn})
exec(sys.stdin.read())
bad = []
if to_2tuple(16) != (16, 16) or to_2tuple([3, 5]) != (3, 5) or to_2tuple("ab") != ("ab", "ab") or to_3tuple((1, 2, 3)) != (1, 2, 3): bad.append("tuple")
if to_ntuple(4)(0) != (0, 0, 0, 0) or to_1tuple(7) != (7,): bad.append("ntuple")
x = np.ones((2000, 3, 4), dtype=np.float32)
layer = DropPath(0.25)
if layer(x) is not x: bad.append("eval is not the identity")
layer.training = True
y = layer(x)
per_sample = y.reshape(2000, -1)
if not all(np.all(r == r[0]) for r in per_sample): bad.append("mask not per sample")
kept = per_sample[:, 0]
if not np.all(np.isclose(kept, 0.0) | np.isclose(kept, 1 / 0.75)): bad.append(("kept values", set(kept)))
if abs((kept > 0).mean() - 0.75) > 0.05: bad.append(("keep rate", (kept > 0).mean()))
if not set(drop_path(x, 0.5, True, scale_by_keep=False).reshape(-1)) <= {0.0, 1.0}: bad.append("unscaled")
if drop_path(x, 0.0, True) is not x: bad.append("p=0")
print("bad", bad)
`;
  const run = spawnSync(python, ['-c', program], { input: TUPLE_HELPER_SOURCE + '\n' + DROP_PATH_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});

// found by an audit
test('the helper goes after the timm import it replaces, also one after other statements or in a try block', () => {
  for (const src of [
    lines('"""Swin block."""', 'import os', 'import sys', 'sys.path.insert(0, os.path.dirname(__file__))', 'import torch.nn as nn', 'from timm.models.layers import DropPath', '', 'dp = DropPath(0.1)'),
    lines('import torch', 'try:', '    from timm.layers import DropPath', 'except ImportError:', '    from timm.models.layers import DropPath', '', 'dp = DropPath(0.1)'),
  ]) {
    const [f] = findings(src, 'MSP103');
    const out = applyFixes(src, [f.fixes[0]]).text;
    assert.ok(out.indexOf(DROP_PATH_HELPER_MARKER) > out.lastIndexOf('import DropPath'), out);
    assert.deepEqual(analyzeText(out, DEFAULT_SETTINGS, database()).findings.filter((x) => /DropPath/.test(String(x.data?.torchApi))), [], out);
  }
});

test('with no leading import to follow, a helper goes below a shebang and a coding line, not above them', () => {
  const src = lines('#!/usr/bin/env python', '# -*- coding: utf-8 -*-', 'try:', '    import torch', 'except ImportError:', '    torch = None', 'g = torch.gradient(x, dim=1)');
  const f = findings(src, 'MSP103').find((x) => x.fixes.length);
  assert.ok(f, 'torch.gradient has its fix');
  const out = applyFixes(src, [f.fixes[0]]).text;
  assert.ok(out.startsWith('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n'), out);
  assert.match(out, /# mindport: gradient helper/);
});

test('a use renamed to a name the file binds elsewhere (a parameter drop_path=0.1), a global or a star import: unsafe', () => {
  const cases = [
    lines('from timm.layers import drop_path as tdp', 'def f(x, drop_path=0.1, training=True):', '    return tdp(x, drop_path, training)'),
    lines('from timm.layers import DropPath', 'def configure():', '    global drop_path', '    drop_path = 0.3', 'dp = DropPath(0.1)'),
    lines('from mylayers import *', 'from timm.layers import DropPath', 'dp = DropPath(0.1)'),
  ];
  for (const src of cases) {
    const f = findings(src, 'MSP103').find((x) => /timm/.test(String(x.data?.torchApi)));
    assert.equal(f?.fixes[0]?.applicability, 'unsafe', src);
  }
});

test("port keeps an import read by the statement that rebinds its name (a base class, a right side, a decorator, a default)", () => {
  const cases = [
    lines('import functools', 'from torch.utils.checkpoint import checkpoint', 'checkpoint = functools.partial(checkpoint, use_reentrant=False)'),
    lines('from timm.layers import Mlp', '', '', 'class Mlp(Mlp):', '    pass'),
    lines('import functools', 'from einops import rearrange', '', '', '@functools.wraps(rearrange)', 'def rearrange(*a):', '    return a'),
    lines('from einops import rearrange', 'rearrange: object', 'y = rearrange'),
  ];
  for (const src of cases) {
    const out = portText(src, DEFAULT_SETTINGS, database()).text;
    const name = /import (\w+)\n(?![\s\S]*import)/.exec(src.split('\n').filter((l) => /^from (torch|timm|einops)/.test(l)).join('\n') + '\n')?.[1];
    assert.ok(name && new RegExp(`\\b${name}\\b`).test(out.split('\n').slice(0, 6).join('\n')) && /(import|from)/.test(out), `${src}\n---\n${out}`);
    assert.match(out, new RegExp(`^(from \\S+ import [^\\n]*\\b${name}\\b|# TODO)`, 'm'), `${src}\n---\n${out}`);
  }
});

test("a second helper goes after the first one's block, not between its imports and its code; fixes do not borrow a helper's private import", () => {
  const src = lines('from timm.layers import DropPath, to_2tuple', 'from torch_scatter import scatter_add', '', 'dp = DropPath(0.1)', 'p = to_2tuple(4)', 's = scatter_add(x, i, dim=0, dim_size=n)');
  let text = src;
  for (const code of ['MSP103', 'MSP103', 'MSP204']) {
    const f = analyzeText(text, DEFAULT_SETTINGS, database()).findings.find((x) => x.code === code && x.fixes.length);
    assert.ok(f, `${code} in\n${text}`);
    text = applyFixes(text, [f.fixes[0]]).text;
  }
  const dp = [text.indexOf(DROP_PATH_HELPER_MARKER), text.indexOf('# mindport: end of DropPath helper')];
  const tuple = text.indexOf(TUPLE_HELPER_MARKER);
  assert.ok(tuple > dp[1] || tuple < dp[0], text);
  assert.match(text, /^s = ops\.unsorted_segment_sum\(x, i, n\)$/m);
});
